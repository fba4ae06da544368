import Foundation

/// How the registry under test authenticates clients.
public enum RegistryAuth: Sendable {
    case anonymous
    /// Basic auth from an htpasswd file written with bcrypt (`htpasswd -Bbn`).
    case htpasswd(users: [String: String], realm: String = "xfn-test")
    /// Bearer tokens from an external issuer; the registry trusts `rootCertificateBundle`.
    case token(realm: String, service: String, issuer: String, rootCertificateBundle: String)

    /// Bearer tokens from `server`.
    public static func token(_ server: TokenServer) -> RegistryAuth {
        .token(realm: server.realm, service: server.service, issuer: server.issuer,
               rootCertificateBundle: server.certificatePath)
    }
}

/// The real Distribution registry (`docker-registry serve`) on 127.0.0.1 with filesystem storage in a
/// temporary directory, optionally behind TLS from a generated CA. `stop()` (or deinit) kills it and
/// deletes its files.
public final class RegistryProcess: @unchecked Sendable {
    public let port: UInt16
    /// `127.0.0.1:PORT`, as image references spell it.
    public var host: String { "127.0.0.1:\(port)" }
    public let scheme: String
    public var baseURL: String { "\(scheme)://\(host)" }
    /// The CA that signed the server certificate, when TLS is on.
    public let caCertificatePath: String?
    /// A client certificate and key the registry's CA signed (TLS registries only).
    public let clientCertificate: (certificate: String, key: String)?
    /// A directory holding `ca.crt`, for skopeo's `--src-cert-dir`/`--dest-cert-dir`.
    public let certDirectory: String?
    public let logPath: String

    private let directory: TemporaryDirectory
    private let process: Process
    private let lock = NSLock()
    private var stopped = false

    private init(port: UInt16, scheme: String, certificates: TestCertificates?, logPath: String,
                 directory: TemporaryDirectory, process: Process) {
        self.port = port
        self.scheme = scheme
        self.caCertificatePath = certificates?.caCertificatePath
        self.clientCertificate = certificates.map { ($0.clientCertificatePath, $0.clientKeyPath) }
        self.certDirectory = certificates?.certDirectory
        self.logPath = logPath
        self.directory = directory
        self.process = process
    }

    deinit { stop() }

    /// Starts the registry and returns once `/v2/` answers. Without `port` it picks a free one and
    /// retries on another if the registry could not bind it.
    public static func start(
        auth: RegistryAuth = .anonymous,
        tls: Bool = false,
        requireClientCertificates: Bool = false,
        port: UInt16? = nil,
        executable: String = "/usr/bin/docker-registry"
    ) async throws -> RegistryProcess {
        let directory = try TemporaryDirectory(prefix: "xfn-registry")
        let certificates = tls ? try await TestCertificates.generate(in: directory.appending("tls")) : nil
        let authSection = try await authConfiguration(auth, directory: directory)
        var lastFailure = ""
        for _ in 0..<(port == nil ? 3 : 1) {
            let chosen = try port ?? Loopback.freePort()
            let configPath = try directory.write(
                configuration(port: chosen, storage: directory.appending("data"), certificates: certificates,
                              requireClientCertificates: requireClientCertificates,
                              auth: authSection),
                to: "config.yml")
            let logPath = directory.appending("registry-\(chosen).log")
            let process = try launch(executable, ["serve", configPath], logPath: logPath)
            let registry = RegistryProcess(
                port: chosen, scheme: tls ? "https" : "http", certificates: certificates, logPath: logPath,
                directory: directory, process: process)
            if try await registry.waitUntilReady() { return registry }
            lastFailure = registry.log
            registry.kill()
        }
        directory.remove()
        throw TestSupportError("docker-registry did not come up: \(lastFailure.suffix(1500))")
    }

    /// Runs `body` with a started registry and stops it afterwards, also when `body` throws.
    public static func with<T>(
        auth: RegistryAuth = .anonymous,
        tls: Bool = false,
        requireClientCertificates: Bool = false,
        port: UInt16? = nil,
        _ body: (RegistryProcess) async throws -> T
    ) async throws -> T {
        let registry = try await start(auth: auth, tls: tls, requireClientCertificates: requireClientCertificates, port: port)
        defer { registry.stop() }
        return try await body(registry)
    }

    /// Terminates the registry (SIGTERM, then SIGKILL after 3 s) and deletes its storage.
    public func stop() {
        kill()
        directory.remove()
    }

    /// The registry's own log so far, for failure messages.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { process.isRunning }

    private func kill() {
        let already = lock.withLock {
            defer { stopped = true }
            return stopped
        }
        guard !already, process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Foundation.kill(process.processIdentifier, SIGKILL)
            let hardDeadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < hardDeadline { usleep(10_000) }
        }
    }

    /// Polls `/v2/` with curl until it gives any HTTP answer; false if the process died or 20 s passed.
    private func waitUntilReady() async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(20)
        var arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2"]
        if let caCertificatePath { arguments += ["--cacert", caCertificatePath] }
        // Presented always: harmless where not required, and needed where it is.
        if let clientCertificate { arguments += ["--cert", clientCertificate.certificate, "--key", clientCertificate.key] }
        arguments.append("\(baseURL)/v2/")
        while ContinuousClock.now < deadline {
            guard process.isRunning else { return false }
            if Self.canConnect(port: port) {
                let probe = try await ProcessRunner.run("curl", arguments, timeout: .seconds(5))
                if ["200", "401"].contains(probe.stdoutText) { return true }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    private static func canConnect(port: UInt16) -> Bool {
        guard let connection = try? Loopback.connect(port: port) else { return false }
        connection.close()
        return true
    }

    private static func launch(_ executable: String, _ arguments: [String], logPath: String) throws -> Process {
        guard FileManager.default.createFile(atPath: logPath, contents: nil),
            let log = FileHandle(forWritingAtPath: logPath)
        else { throw TestSupportError("cannot create \(logPath)") }
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        do {
            try launchWithDefaultSignals(process)
        } catch {
            throw TestSupportError("cannot start \(executable): \(error)",
                                   hint: "install the docker-registry package (Distribution 2.8)")
        }
        return process
    }

    private static func authConfiguration(_ auth: RegistryAuth, directory: TemporaryDirectory) async throws -> String {
        switch auth {
        case .anonymous:
            return ""
        case .htpasswd(let users, let realm):
            var lines = ""
            for (name, password) in users.sorted(by: { $0.key < $1.key }) {
                let result = try await ProcessRunner.runChecked("htpasswd", ["-Bbn", name, password])
                lines += result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) + "\n"
            }
            let path = try directory.write(lines, to: "auth/htpasswd")
            return """
                auth:
                  htpasswd:
                    realm: \(quoted(realm))
                    path: \(quoted(path))

                """
        case .token(let realm, let service, let issuer, let bundle):
            return """
                auth:
                  token:
                    realm: \(quoted(realm))
                    service: \(quoted(service))
                    issuer: \(quoted(issuer))
                    rootcertbundle: \(quoted(bundle))

                """
        }
    }

    private static func configuration(port: UInt16, storage: String, certificates: TestCertificates?,
                                      requireClientCertificates: Bool, auth: String) -> String {
        var text = """
            version: 0.1
            log:
              level: info
            storage:
              filesystem:
                rootdirectory: \(quoted(storage))
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
              secret: \(UUID().uuidString)

            """
        if let certificates {
            text += """
                  tls:
                    certificate: \(quoted(certificates.certificatePath))
                    key: \(quoted(certificates.keyPath))

                """
            if requireClientCertificates {
                text += """
                        clientcas:
                          - \(quoted(certificates.caCertificatePath))

                    """
            }
        }
        return text + auth
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
