import ArgumentParser
import Foundation
import XfnAuth
import XfnCore
import XfnOCI

/// `xfn login REGISTRY`: check a credential against the registry, then keep it where docker would.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a registry, as docker login does.",
        discussion: """
            The password (or token) is read from standard input with --password-stdin, or asked for when
            standard input is a terminal. xfn checks it against the registry first, then stores it with the
            credential helper your Docker config names for the registry (credHelpers, else credsStore), or
            in the Docker config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json, mode 0600).
            With --authfile the credential goes to that file instead.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: "User name (AWS for ECR, _json_key for a Google key, <token> for an identity token).")
    var username: String?

    @Flag(name: .long, help: "Read the password (or token) from standard input.")
    var passwordStdin = false

    @Option(name: .long, help: ArgumentHelp("Write to this Docker/containers auth file instead.", valueName: "file"))
    var authfile: String?

    @Argument(help: "The registry host, e.g. ghcr.io or 123456789012.dkr.ecr.us-east-1.amazonaws.com.")
    var registry: String

    func run() async throws {
        let host = Self.normalized(registry)
        guard let username, !username.isEmpty else { throw ValidationError("--username is required") }
        let password = try readPassword()
        guard !password.isEmpty else { throw ValidationError("the password is empty") }
        let context = try CommandContext(global: global)
        let secret: Credential.Secret = username == "<token>" ? .identityToken(password) : .basic(username: username, password: password)
        let credential = Credential(secret: secret, source: "xfn login")
        let probe = try Reference(parsing: "\(host)/xfn-login:latest")
        if !global.offline {
            do {
                try await LoginVerifier.verify(http: context.registry.http, tokens: context.registry.tokens,
                                               baseURL: context.registry.baseURL(for: probe), registry: host, credential: credential)
            } catch let error as AuthError {
                throw error.with(trace: Self.trace("xfn login", credential))
            }
        }
        let store = LoginStore(environment: .current, authFile: authfile)
        let location = try await store.save(registry: host, username: username, password: password)
        if !global.quiet { print("Login succeeded for \(host) (\(credential.summary)); \(location)") }
    }

    private static func trace(_ source: String, _ credential: Credential) -> AuthTrace {
        var trace = AuthTrace()
        trace.record(source, .matched, credential.summary)
        return trace
    }

    private func readPassword() throws -> String {
        if passwordStdin {
            var text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        guard isatty(STDIN_FILENO) == 1, let typed = getpass("Password: ") else {
            throw ValidationError("give the password on standard input with --password-stdin")
        }
        return String(cString: typed)
    }

    /// `https://host/v1/` → `host`, as users paste registry URLs.
    static func normalized(_ registry: String) -> String {
        var text = Substring(registry)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        let host = String(text.prefix { $0 != "/" })
        return host == "index.docker.io" || host == "registry-1.docker.io" ? "docker.io" : host
    }
}
