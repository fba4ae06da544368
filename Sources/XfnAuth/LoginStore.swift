import Foundation
import XfnCore
import XfnHTTP

/// Where `xfn login` keeps a credential and how `xfn logout` removes it: the credential helper the
/// Docker config names for the host (`credHelpers`, else `credsStore`), otherwise the `auths` map of the
/// Docker config (or the `--authfile`), rewritten atomically with mode 0600 and every other key kept.
public struct LoginStore: Sendable {
    public let environment: Environment
    /// The file to write; the Docker config unless --authfile names another.
    public let path: String
    let explicitFile: Bool

    public init(environment: Environment, authFile: String? = nil) {
        self.environment = environment
        self.path = authFile ?? CredentialResolver.dockerConfigPath(environment: environment)
        self.explicitFile = authFile != nil
    }

    /// The key docker uses for a registry: Docker Hub's historical URL, else the bare host.
    public static func key(for registry: String) -> String {
        ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry) ? "https://index.docker.io/v1/" : registry
    }

    func readDocument() throws -> ValueObject {
        guard let data = FileManager.default.contents(atPath: path) else { return ValueObject() }
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return ValueObject() }
        do {
            guard case .object(let root) = try ValueJSON.parse(data) else {
                throw AuthFile.ParseError(path: path, reason: "the top level is not a JSON object")
            }
            return root
        } catch let error as ValueJSON.SyntaxError {
            throw AuthFile.ParseError(path: path, reason: error.message)
        }
    }

    /// The helper that owns `registry` in this file, if any.
    func helper(for registry: String, in root: ValueObject) -> CredentialHelper? {
        let name = root["credHelpers"]?[registry]?.stringValue ?? root["credsStore"]?.stringValue
        return name.map { CredentialHelper(name: $0, environment: environment) }
    }

    /// Stores the credential; returns a sentence saying where.
    public func save(registry: String, username: String, password: String) async throws -> String {
        var root = try readDocument()
        let key = Self.key(for: registry)
        if let helper = helper(for: registry, in: root) {
            try await helper.store(serverURL: key, username: username, secret: password)
            return "stored in \(helper.programName) (named by \(path))"
        }
        var auths = root["auths"]?.objectValue ?? ValueObject()
        var entry = ValueObject()
        if username == "<token>" {
            entry["identitytoken"] = .string(password)
        } else {
            entry["auth"] = .string(Data("\(username):\(password)".utf8).base64EncodedString())
        }
        auths[key] = .object(entry)
        root["auths"] = .object(auths)
        try PrivateFile.write(Data((ValueJSON.serialize(.object(root)) + "\n").utf8), to: path)
        return "stored in \(path)"
    }

    /// Removes every entry for `registry` (in any spelling) from the file and from its helper;
    /// returns what was removed.
    public func remove(registry: String) async throws -> [String] {
        var root = try readDocument()
        var removed: [String] = []
        if let helper = helper(for: registry, in: root) {
            for serverURL in CredentialHelper.serverURLs(for: registry) {
                if case .found = await helper.get(serverURL: serverURL) {
                    try await helper.erase(serverURL: serverURL)
                    removed.append("\(helper.programName) (\(serverURL))")
                }
            }
        }
        if var auths = root["auths"]?.objectValue {
            let hosts = Set(AuthFile.candidateKeys(registry: registry, repository: "").filter { !$0.contains("/") || $0.contains("://") }
                .map(AuthFile.normalizedHost))
            let matching = auths.keys.filter { $0 == registry || hosts.contains(AuthFile.normalizedHost($0)) }
            for key in matching {
                auths[key] = nil
                removed.append("\(path) (auths[\"\(key)\"])")
            }
            if !matching.isEmpty {
                root["auths"] = .object(auths)
                try PrivateFile.write(Data((ValueJSON.serialize(.object(root)) + "\n").utf8), to: path)
            }
        }
        return removed
    }
}

/// Checks a credential the way `docker login` does: ask `/v2/` for its challenge, answer it, and expect
/// `/v2/` to accept the result.
public enum LoginVerifier {
    public static func verify(http: HTTPClient, tokens: TokenService, baseURL: String, registry: String, credential: Credential) async throws {
        let ping = try await http.send(HTTPRequest(url: baseURL + "/v2/", timeout: .seconds(30)), bodyLimit: 64 << 10)
        if ping.isSuccess { return }
        guard ping.status == 401 else {
            throw AuthError(kind: .denied(status: ping.status), registry: registry, detail: "\(baseURL)/v2/ answered HTTP \(ping.status), not a registry challenge")
        }
        let challenges = AuthChallenge.parse(headerValues: ping.headers.values(for: "WWW-Authenticate"))
        let authorization: String
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            if case .registryToken(let token) = credential.secret {
                authorization = "Bearer \(token)"
            } else {
                let token = try await tokens.token(registry: registry, challenge: bearer, scopes: [], credential: credential,
                                                   plainHTTP: baseURL.hasPrefix("http://"))
                authorization = "Bearer \(token)"
            }
        } else if challenges.contains(where: { $0.scheme == "basic" }), case .basic(let username, let password) = credential.secret {
            authorization = "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        } else {
            throw AuthError(kind: .denied(status: 401), registry: registry,
                            detail: "the registry asks for \(challenges.map(\.scheme).joined(separator: ", ")), which this credential cannot answer")
        }
        let check = try await http.send(HTTPRequest(url: baseURL + "/v2/", headers: [("Authorization", authorization)], timeout: .seconds(30)),
                                        bodyLimit: 64 << 10)
        guard check.isSuccess else {
            throw AuthError(kind: .denied(status: check.status), registry: registry, detail: "\(baseURL)/v2/ refused the credential: " +
                            ResponseSummary.text(of: check.body))
        }
    }
}
