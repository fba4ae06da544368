/*
 * A stand-in function for the process runtime tests, built as a static binary so it runs alone in
 * an otherwise empty rootfs under bubblewrap. It takes the flags every function takes
 * (--insecure --address HOST:PORT), reports on stderr whether it can write outside /tmp, and then
 * relays each connection to UPSTREAM (an environment variable, host:port), where a real function
 * written with the Python SDK answers. With NEVER_LISTEN set it never listens at all.
 * Without --address it listens on 0.0.0.0:9443 like the SDKs, which is what a container runtime
 * relies on; it exits on SIGTERM, which a container's first process must handle itself.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in parse(const char *text) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    const char *colon = strrchr(text, ':');
    char host[64] = "127.0.0.1";
    if (colon && colon != text && (size_t)(colon - text) < sizeof host) {
        memcpy(host, text, (size_t)(colon - text));
        host[colon - text] = 0;
    }
    inet_pton(AF_INET, host, &address.sin_addr);
    address.sin_port = htons((unsigned short)atoi(colon ? colon + 1 : text));
    return address;
}

static void probe(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        fprintf(stderr, "write %s: %s\n", path, strerror(errno));
        return;
    }
    close(fd);
    fprintf(stderr, "write %s: ok\n", path);
}

static struct sockaddr_in upstream;

static void terminate(int signal) {
    (void)signal;
    _exit(0);
}

static void *relay(void *argument) {
    int client = (int)(long)argument;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(server, (struct sockaddr *)&upstream, sizeof upstream) != 0) {
        close(client);
        close(server);
        return NULL;
    }
    struct pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    char buffer[16384];
    for (;;) {
        if (poll(fds, 2, -1) < 0) break;
        int from = (fds[0].revents & (POLLIN | POLLHUP)) ? 0 : 1;
        if (!(fds[from].revents & (POLLIN | POLLHUP))) continue;
        ssize_t n = read(fds[from].fd, buffer, sizeof buffer);
        if (n <= 0) break;
        if (write(fds[1 - from].fd, buffer, (size_t)n) != n) break;
    }
    close(client);
    close(server);
    return NULL;
}

int main(int argc, char **argv) {
    const char *address = "0.0.0.0:9443";
    signal(SIGTERM, terminate);
    int insecure = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--insecure") == 0) insecure = 1;
        else if (strcmp(argv[i], "--address") == 0 && i + 1 < argc) address = argv[++i];
    }
    probe("/outside-tmp");
    probe("/tmp/inside-tmp");
    if (!insecure) {
        fprintf(stderr, "no credentials provided - did you specify the Insecure option?\n");
        return 1;
    }
    if (getenv("NEVER_LISTEN")) {
        fprintf(stderr, "not listening\n");
        for (;;) pause();
    }
    const char *target = getenv("UPSTREAM");
    if (!target) {
        fprintf(stderr, "UPSTREAM is not set\n");
        return 1;
    }
    upstream = parse(target);
    struct sockaddr_in listen_address = parse(address);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(listener, (struct sockaddr *)&listen_address, sizeof listen_address) != 0 || listen(listener, 16) != 0) {
        fprintf(stderr, "listen %s: %s\n", address, strerror(errno));
        return 1;
    }
    fprintf(stderr, "listening on %s, relaying to %s\n", address, target);
    for (;;) {
        int client = accept(listener, NULL, NULL);
        if (client < 0) continue;
        pthread_t thread;
        pthread_create(&thread, NULL, relay, (void *)(long)client);
        pthread_detach(thread);
    }
}
