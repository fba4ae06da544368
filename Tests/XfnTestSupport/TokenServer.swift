import Foundation
import XfnCore

/// One request the token server received, for assertions about what a client sent.
public struct TokenRequestRecord: Sendable {
    public let method: String
    public let path: String
    /// Query parameters (GET) in order; repeated names stay repeated.
    public let query: [QueryItem]
    /// Form fields of an OAuth2 POST, with `password` and `refresh_token` values replaced by "<redacted>".
    public let form: [QueryItem]
    public let scopes: [String]
    public let service: String?
    public let hadAuthorization: Bool
    /// From Basic credentials or the OAuth2 `username` field.
    public let username: String?
    public let grantType: String?
    public let status: Int
    /// What the issued token allows (empty when nothing was issued).
    public let granted: [TokenScope]
}

public struct QueryItem: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A Docker registry token issuer on 127.0.0.1: GET `/token` with optional Basic credentials and
/// repeated `scope=`, and optionally the OAuth2 POST form. It signs RS256 JWTs whose `kid` is the
/// libtrust id of its key and writes that key's self-signed certificate for the registry's
/// `rootcertbundle`. Rules come from a `TokenPolicy` that a test may swap at any time.
public final class TokenServer: @unchecked Sendable {
    public let issuer: String
    public let service: String
    /// PEM certificate of the signing key (the registry's `auth.token.rootcertbundle`).
    public let certificatePath: String
    public let keyID: String
    public var port: UInt16 { server.port }
    /// `http://127.0.0.1:PORT/token` — the realm the registry advertises.
    public var realm: String { "http://127.0.0.1:\(port)/token" }

    private let directory: TemporaryDirectory
    private let key: RSASigningKey
    private var server: LoopbackHTTPServer!
    private let lock = NSLock()
    private var currentPolicy: TokenPolicy
    private var records: [TokenRequestRecord] = []

    private init(directory: TemporaryDirectory, key: RSASigningKey, certificatePath: String,
                 policy: TokenPolicy, issuer: String, service: String) {
        self.directory = directory
        self.key = key
        self.keyID = key.keyID
        self.certificatePath = certificatePath
        self.currentPolicy = policy
        self.issuer = issuer
        self.service = service
    }

    /// Listens on a free port. Without `signingKey` it generates an RSA key and its self-signed
    /// certificate; with one it loads the PEM key and hands the given certificate to the registry.
    public static func start(
        policy: TokenPolicy,
        issuer: String = "xfn-test-issuer",
        service: String = "xfn-test-registry",
        signingKey: (keyPath: String, certificatePath: String)? = nil
    ) async throws -> TokenServer {
        let directory = try TemporaryDirectory(prefix: "xfn-token")
        var keyPath = directory.appending("token.key")
        var certificatePath = directory.appending("token.crt")
        if let signingKey {
            (keyPath, certificatePath) = signingKey
        } else {
            try await ProcessRunner.runChecked("openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", keyPath, "-out", certificatePath, "-subj", "/CN=\(issuer)",
            ], timeout: .seconds(60))
        }
        let key = try RSASigningKey(pemFile: keyPath)
        let tokenServer = TokenServer(
            directory: directory, key: key, certificatePath: certificatePath,
            policy: policy, issuer: issuer, service: service)
        tokenServer.server = try LoopbackHTTPServer(name: "token") { [weak tokenServer] request in
            guard let tokenServer else { return .text(503, "stopped") }
            return tokenServer.respond(to: request)
        }
        return tokenServer
    }

    /// Runs `body` with a started server and stops it afterwards, also when `body` throws.
    public static func with<T>(
        policy: TokenPolicy,
        issuer: String = "xfn-test-issuer",
        service: String = "xfn-test-registry",
        signingKey: (keyPath: String, certificatePath: String)? = nil,
        _ body: (TokenServer) async throws -> T
    ) async throws -> T {
        let server = try await start(policy: policy, issuer: issuer, service: service, signingKey: signingKey)
        defer { server.stop() }
        return try await body(server)
    }

    deinit { stop() }

    public func stop() {
        server?.stop()
        directory.remove()
    }

    public var policy: TokenPolicy {
        get { lock.withLock { currentPolicy } }
        set { lock.withLock { currentPolicy = newValue } }
    }

    /// Every request so far, oldest first.
    public var requests: [TokenRequestRecord] { lock.withLock { records } }

    public func clearRequests() { lock.withLock { records.removeAll() } }

    // MARK: answering

    private func respond(to request: HTTPRequest) -> HTTPResponse {
        let policy = self.policy
        let authorization = request.headers.value("Authorization")
        let basic = authorization.flatMap(Self.decodeBasic)
        let query = request.queryItems.map { QueryItem(name: $0.name, value: $0.value) }

        var form: [QueryItem] = []
        var credential = TokenCredential.anonymous
        var scopes: [String] = []
        var service = query.first { $0.name == "service" }?.value
        var grantType: String?
        var offline = query.contains { $0.name == "offline_token" && $0.value == "true" }
        var username = basic?.username
        var status = 200
        var granted: [TokenScope] = []

        defer {
            let redacted = form.map {
                ["password", "refresh_token"].contains($0.name) ? QueryItem(name: $0.name, value: "<redacted>") : $0
            }
            let record = TokenRequestRecord(
                method: request.method, path: request.path, query: query, form: redacted, scopes: scopes,
                service: service, hadAuthorization: authorization != nil, username: username,
                grantType: grantType, status: status, granted: granted)
            lock.withLock { records.append(record) }
        }

        guard request.path == "/token" else {
            status = 404
            return .text(404, "not found")
        }
        switch request.method {
        case "GET":
            scopes = query.filter { $0.name == "scope" }.map(\.value)
            if let basic { credential = .basic(username: basic.username, password: basic.password) }
            if authorization != nil, basic == nil {
                status = 400
                return .json(400, #"{"errors":[{"code":"UNSUPPORTED","message":"only Basic credentials are accepted"}]}"#)
            }
        case "POST":
            guard policy.oauthEnabled else {
                status = 404
                return .text(404, "404 page not found")
            }
            form = FormDecoding.decode(String(decoding: request.body, as: UTF8.self)).map { QueryItem(name: $0.name, value: $0.value) }
            func field(_ name: String) -> String? { form.first { $0.name == name }?.value }
            grantType = field("grant_type")
            service = field("service") ?? service
            scopes = (field("scope") ?? "").split(separator: " ").map(String.init)
            offline = offline || field("access_type") == "offline"
            switch grantType {
            case "password":
                username = field("username")
                credential = .password(username: field("username") ?? "", password: field("password") ?? "")
            case "refresh_token":
                credential = .refreshToken(field("refresh_token") ?? "")
                offline = true
            default:
                status = 400
                return .json(400, #"{"error":"unsupported_grant_type"}"#)
            }
        default:
            status = 405
            return .text(405, "method not allowed")
        }

        guard let identity = policy.authenticate(credential) else {
            status = 401
            return HTTPResponse(
                status: 401,
                headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
                body: Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"invalid credentials","detail":"incorrect username or password"}]}"#.utf8))
        }
        for text in scopes {
            guard let scope = TokenScope(parsing: text) else { continue }
            let allowed = policy.grant(identity, scope)
            let actions = allowed.contains("*") ? scope.actions : scope.actions.filter { allowed.contains($0) }
            granted.append(TokenScope(type: scope.type, name: scope.name, actions: actions))
        }
        let audience = service ?? self.service
        let now = Int64(Date().timeIntervalSince1970)
        let token: String
        do {
            token = try signToken(subject: identity.subject, audience: audience, access: granted, now: now,
                                  expiresIn: policy.expiresIn)
        } catch {
            status = 500
            return .text(500, "\(error)")
        }
        var answer = ValueObject([
            ("token", .string(token)),
            ("access_token", .string(token)),
            ("expires_in", .int(Int64(policy.expiresIn))),
            ("issued_at", .string(Self.rfc3339(now))),
        ])
        if request.method == "POST" { answer["scope"] = .string(scopes.joined(separator: " ")) }
        if offline, let refresh = policy.refreshToken { answer["refresh_token"] = .string(refresh) }
        return .json(200, ValueJSON.serialize(.object(answer)))
    }

    private func signToken(subject: String, audience: String, access: [TokenScope], now: Int64,
                           expiresIn: Int) throws -> String {
        let header: Value = ["typ": "JWT", "alg": "RS256", "kid": .string(keyID)]
        let claims: Value = [
            "iss": .string(issuer),
            "sub": .string(subject),
            "aud": .string(audience),
            "exp": .int(now + Int64(expiresIn)),
            "nbf": .int(now - 10),
            "iat": .int(now),
            "jti": .string(UUID().uuidString.lowercased()),
            "access": .array(access.map {
                ["type": .string($0.type), "name": .string($0.name), "actions": .array($0.actions.map(Value.string))]
            }),
        ]
        let signingInput = Base64URL.encode(Array(ValueJSON.serialize(header).utf8)) + "."
            + Base64URL.encode(Array(ValueJSON.serialize(claims).utf8))
        let signature = try key.signRS256(Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    private static func decodeBasic(_ header: String) -> (username: String, password: String)? {
        guard header.lowercased().hasPrefix("basic ") else { return nil }
        let encoded = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private static func rfc3339(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The claims of a token this server issued (no signature check), for assertions.
    public static func claims(of token: String) throws -> Value {
        let parts = token.split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])) else {
            throw TestSupportError("not a JWT: \(token.prefix(20))…")
        }
        return try ValueJSON.parse(Data(payload))
    }
}
