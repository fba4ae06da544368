import Foundation
import XfnCore
import XfnTestSupport

/// Shared pieces of the authentication integration tests: helper scripts on the xfn process's PATH,
/// moto as a stand-in for AWS, and a token policy for a pusher plus the credential under test.
extension XfnProcess {
    /// A `bin` directory in the isolated home, first on PATH, with AWS and Google settings of the
    /// machine running the tests blanked out.
    mutating func isolateCloudSettings() throws {
        let bin = try home.subdirectory("bin")
        environment["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                     "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL_STS",
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "GOOGLE_APPLICATION_CREDENTIALS",
                     "CLOUDSDK_CONFIG"] {
            environment[name] = ""
        }
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        // Metadata services only ever on loopback, on a port nothing listens on.
        environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:1"
        environment["GCE_METADATA_HOST"] = "127.0.0.1:1"
        environment["AWS_SHARED_CREDENTIALS_FILE"] = home.appending(".aws/credentials")
        environment["AWS_CONFIG_FILE"] = home.appending(".aws/config")
    }

    /// An executable `docker-credential-NAME` in the home's `bin` answering `get` for one server URL.
    func writeHelper(_ name: String, serverURL: String, username: String, secret: String) throws {
        let path = try home.write("""
            #!/bin/sh
            read -r url
            echo "$1 $url" >> "\(home.appending("bin"))/\(name).log"
            if [ "$1" = get ] && [ "$url" = '\(serverURL)' ]; then
              printf '{"ServerURL":"%s","Username":"\(username)","Secret":"\(secret)"}' "$url"
              exit 0
            fi
            echo "credentials not found in native keychain"
            exit 1

            """, to: "bin/docker-credential-\(name)")
        chmod(path, 0o755)
    }

    func writeFile(_ text: String, to relative: String) throws {
        let path = home.appending(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}

func basicAuthValue(_ user: String, _ password: String) -> String { Data("\(user):\(password)".utf8).base64EncodedString() }

/// `moto_server` on a free loopback port: AWS ECR and STS APIs without an AWS account.
final class MotoServer: @unchecked Sendable {
    let port: UInt16
    private let process: Process
    var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: UInt16, process: Process) {
        self.port = port
        self.process = process
    }

    static func with<T>(_ body: (MotoServer) async throws -> T) async throws -> T {
        let server = try await start()
        defer { server.stop() }
        return try await body(server)
    }

    static func start() async throws -> MotoServer {
        let executable = try ProcessRunner.resolve("moto_server")
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try startWithEmptySignalMask(process)
            let server = MotoServer(port: port, process: process)
            for _ in 0..<150 where process.isRunning {
                if canConnect(port: port) { return server }
                try await Task.sleep(for: .milliseconds(100))
            }
            server.stop()
        }
        throw TestSupportError("moto_server did not start", hint: "pip install 'moto[server]'")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The ECR password moto issues for `account`, read with boto3 so the test does not rely on xfn.
    func ecrPassword(account: String, region: String) async throws -> String {
        let script = """
            import base64, boto3
            client = boto3.client("ecr", endpoint_url="\(endpoint)", region_name="\(region)",
                                  aws_access_key_id="AKIDBOTO", aws_secret_access_key="boto-secret")
            data = client.get_authorization_token(registryIds=["\(account)"])["authorizationData"][0]
            print(base64.b64decode(data["authorizationToken"]).decode().split(":", 1)[1])
            """
        return try await ProcessRunner.runChecked("python3", ["-c", script]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

private func startWithEmptySignalMask(_ process: Process) throws {
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        do { try process.run() } catch { outcome.error = error }
        done.signal()
    }
    thread.start()
    done.wait()
    if let error = outcome.error { throw error }
}

private func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard bound == 0 else { throw TestSupportError("bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return UInt16(bigEndian: address.sin_port)
}

private func canConnect(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

extension TokenPolicy {
    /// `pusher`/`p` (for skopeo) plus whatever `accept` recognises.
    static func pusherAnd(_ accept: @escaping @Sendable (TokenCredential) -> Bool) -> TokenPolicy {
        TokenPolicy(
            authenticate: { credential in
                if case .basic("pusher", "p") = credential { return .user("pusher") }
                return accept(credential) ? .user("puller") : nil
            },
            grant: { _, _ in ["*"] },
            oauthEnabled: true)
    }
}
