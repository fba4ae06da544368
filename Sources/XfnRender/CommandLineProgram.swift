import Foundation
import Synchronization
import XfnCore

/// Runs a short-lived external program (the container engine's command line) to completion with
/// captured output. The child gets its own process group, an empty signal mask and default signal
/// dispositions; it is killed, with everything it started, when its time limit passes or, for calls
/// that allow it, when the calling task is cancelled. The wait happens on a dedicated thread, never on
/// the cooperative pool.
struct CommandLineProgram: Sendable {
    struct Output: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
        let timedOut: Bool
        let cancelled: Bool

        var succeeded: Bool { status == 0 && !timedOut && !cancelled }
    }

    struct LaunchFailure: Error, CustomStringConvertible {
        let description: String
    }

    let path: String

    /// The executable `name` names: itself when it holds a slash, else the first match on `PATH`.
    static func find(_ name: String, environment: Environment) -> CommandLineProgram? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? CommandLineProgram(path: name) : nil }
        let search = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in search.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return CommandLineProgram(path: candidate) }
        }
        return nil
    }

    func run(_ arguments: [String], environment: Environment, timeout: Duration, cancellable: Bool) async throws -> Output {
        let stop = StopRequest()
        let path = self.path
        let body = {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Output, any Error>) in
                Thread {
                    continuation.resume(with: Result { try Self.runBlocking(path, arguments, environment: environment, timeout: timeout, stop: stop) })
                }.start()
            }
        }
        guard cancellable else { return try await body() }
        return try await withTaskCancellationHandler(operation: body, onCancel: { stop.requested.withLock { $0 = true } })
    }

    private final class StopRequest: Sendable {
        let requested = Mutex(false)
    }

    private static func runBlocking(_ path: String, _ arguments: [String], environment: Environment, timeout: Duration,
                                    stop: StopRequest) throws -> Output {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw LaunchFailure(description: "pipe(): \(String(cString: strerror(errno)))") }
        guard makePipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            throw LaunchFailure(description: "pipe(): \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        // Nothing else xfn holds open (a function's pipes, the registry's sockets) reaches the engine.
        if let closeFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var reset = sigset_t()
        sigemptyset(&reset)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&reset, signal) }
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0]); close(errPipe[0])
            throw LaunchFailure(description: "cannot start \(path): \(String(cString: strerror(spawned)))")
        }

        let output = CapturedOutput()
        let readers = DispatchGroup()
        for (fd, isStdout) in [(outPipe[0], true), (errPipe[0], false)] {
            readers.enter()
            DispatchQueue.global().async {
                output.store(Self.readAll(fd), stdout: isStdout)
                close(fd)
                readers.leave()
            }
        }

        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var timedOut = false, cancelled = false
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            if !timedOut, !cancelled {
                if ContinuousClock.now >= deadline { timedOut = true }
                if stop.requested.withLock({ $0 }) { cancelled = true }
                // The engine's command line holds no state worth a graceful exit; the daemon or
                // podman's own cleanup finishes what was started.
                if timedOut || cancelled { kill(-pid, SIGKILL) }
            }
            usleep(10_000)
        }
        // A helper the program left behind in its group may still hold the pipes.
        if readers.wait(timeout: .now() + 2) == .timedOut {
            kill(-pid, SIGKILL)
            _ = readers.wait(timeout: .now() + 3)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Output(status: exitStatus, stdout: String(decoding: output.stdout, as: UTF8.self),
                      stderr: String(decoding: output.stderr, as: UTF8.self), timedOut: timedOut, cancelled: cancelled)
    }

    /// glibc's `pipe2` and `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module
    /// does not export.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let pipe2: Pipe2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

    /// Close-on-exec pipes, so two programs started at once never hold each other's ends open.
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        if let pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, O_CLOEXEC) } == 0 }
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                data.append(buffer, count: count)
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }
}

private final class CapturedOutput: Sendable {
    private let streams = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    func store(_ data: Data, stdout: Bool) {
        streams.withLock { if stdout { $0.stdout = data } else { $0.stderr = data } }
    }

    var stdout: Data { streams.withLock { $0.stdout } }
    var stderr: Data { streams.withLock { $0.stderr } }
}
