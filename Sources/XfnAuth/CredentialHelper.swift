import Foundation
import XfnCore

/// A `docker-credential-NAME` program speaking the docker credential-helper protocol: the action is the
/// first argument, the server URL (or a JSON record for `store`) goes to stdin, and answers come back
/// as JSON on stdout. Errors are printed on stdout with exit status 1.
public struct CredentialHelper: Sendable {
    public let name: String
    let environment: Environment
    let timeout: Duration

    public init(name: String, environment: Environment, timeout: Duration = .seconds(30)) {
        self.name = name
        self.environment = environment
        self.timeout = timeout
    }

    public var programName: String { "docker-credential-\(name)" }

    /// What `get` produced for one server URL.
    public enum Lookup: Sendable {
        case found(username: String, secret: String)
        case notFound
        case missing
        case failed(String)
    }

    /// The helper's answer is "not found" rather than a failure when stdout says exactly this.
    static let notFoundMessage = "credentials not found in native keychain"

    public func get(serverURL: String) async -> Lookup {
        guard let program = ChildProcess.find(programName, environment: environment) else { return .missing }
        let result: ChildProcess.Result
        do { result = try await program.run(["get"], input: Data(serverURL.utf8), environment: environment, timeout: timeout) } catch {
            return .failed("cannot start \(program.path): \(error)")
        }
        if result.timedOut { return .failed("did not answer within \(timeout)") }
        if result.status != 0 {
            if result.stdoutText == Self.notFoundMessage || result.stdoutText.lowercased().contains("credentials not found") { return .notFound }
            return .failed("exit status \(result.status): \(Self.firstLine(result.stdoutText.isEmpty ? result.stderrText : result.stdoutText))")
        }
        guard let document = try? ValueJSON.parse(result.stdout), case .object(let fields) = document else {
            return .failed("exit status 0 but the answer is not a JSON object")
        }
        let username = fields["Username"]?.stringValue ?? ""
        let secret = fields["Secret"]?.stringValue ?? ""
        if secret.isEmpty { return .notFound }
        return .found(username: username, secret: secret)
    }

    /// Stores a credential; a helper that cannot store (ecr-login, gcr) fails here.
    public func store(serverURL: String, username: String, secret: String) async throws {
        let record: Value = ["ServerURL": .string(serverURL), "Username": .string(username), "Secret": .string(secret)]
        try await runChecked("store", input: Data(ValueJSON.serialize(record).utf8), serverURL: serverURL)
    }

    public func erase(serverURL: String) async throws {
        try await runChecked("erase", input: Data(serverURL.utf8), serverURL: serverURL)
    }

    /// Server URL → user name, as the helper lists them.
    public func list() async throws -> [String: String] {
        let result = try await runChecked("list", input: Data("unused".utf8), serverURL: "")
        guard case .object(let fields)? = try? ValueJSON.parse(result.stdout) else { return [:] }
        return fields.reduce(into: [:]) { $0[$1.key] = $1.value.stringValue ?? "" }
    }

    @discardableResult
    private func runChecked(_ action: String, input: Data, serverURL: String) async throws -> ChildProcess.Result {
        guard let program = ChildProcess.find(programName, environment: environment) else {
            throw CredentialHelperError(helper: programName, action: action, serverURL: serverURL, detail: "it is not on PATH")
        }
        let result = try await program.run([action], input: input, environment: environment, timeout: timeout)
        if result.timedOut {
            throw CredentialHelperError(helper: programName, action: action, serverURL: serverURL, detail: "it did not finish within \(timeout)")
        }
        guard result.status == 0 else {
            let said = result.stdoutText.isEmpty ? result.stderrText : result.stdoutText
            throw CredentialHelperError(helper: programName, action: action, serverURL: serverURL,
                                        detail: "exit status \(result.status): \(Self.firstLine(said))")
        }
        return result
    }

    static func firstLine(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// Server URLs to ask for `registry`, in order: helpers store whatever string the login used, so the
    /// bare host and the `https://` form are both tried (and Docker Hub's historical key first).
    public static func serverURLs(for registry: String) -> [String] {
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry) {
            return ["https://index.docker.io/v1/", "docker.io", "index.docker.io", "registry-1.docker.io"]
        }
        return [registry, "https://\(registry)"]
    }

    /// Turns a helper answer into a credential: the user name `<token>` marks an identity token.
    static func credential(username: String, secret: String, source: String) -> Credential {
        if username == "<token>" { return Credential(secret: .identityToken(secret), source: source) }
        return Credential(secret: .basic(username: username, password: secret), source: source)
    }
}

public struct CredentialHelperError: XfnError {
    public let helper: String
    public let action: String
    public let serverURL: String
    public let detail: String

    public var message: String {
        "\(helper) \(action)\(serverURL.isEmpty ? "" : " for \(serverURL)") failed: \(detail)"
    }
    public var hint: String? { "run `echo \(serverURL) | \(helper) \(action == "store" ? "get" : action)` to see what the helper says" }
    public var exitCode: ExitStatus { .registry }
}
