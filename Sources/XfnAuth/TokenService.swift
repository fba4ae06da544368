import Foundation
import XfnCore
import XfnHTTP

/// Fetches bearer tokens from a registry's token realm and keeps them until shortly before they expire.
/// Concurrent requests for the same realm, service, credential and scopes share one fetch.
public actor TokenService {
    struct Key: Hashable {
        let realm: String
        let service: String
        let scopes: [String]
        let credential: String
    }

    struct Token: Sendable {
        let value: String
        let expiresAt: ContinuousClock.Instant
    }

    private let http: HTTPClient
    private var cache: [Key: Token] = [:]
    private var inFlight: [Key: Task<Token, any Error>] = [:]
    public private(set) var fetchCount = 0
    /// One line per token request (URL, method, scopes, user name class, status); never a secret.
    public private(set) var exchanges: [String] = []

    /// Minimum lifetime the distribution spec promises, and the margin kept before expiry.
    static let minimumLifetime: Duration = .seconds(60)
    static let refreshMargin: Duration = .seconds(10)

    public init(http: HTTPClient) { self.http = http }

    /// A token for `scopes`, from the cache or the realm.
    public func token(registry: String, challenge: AuthChallenge, scopes: [String], credential: Credential?, plainHTTP: Bool) async throws -> String {
        guard let realm = challenge.realm else {
            throw AuthError(kind: .invalidTokenResponse, registry: registry, detail: "the Bearer challenge has no realm")
        }
        try RealmPolicy.check(realm: realm, registry: registry, plainHTTP: plainHTTP)
        let sortedScopes = Array(Set(scopes)).sorted()
        let key = Key(realm: realm, service: challenge.service ?? "", scopes: sortedScopes, credential: credential?.fingerprint ?? "")
        if let cached = cache[key], cached.expiresAt > .now { return cached.value }
        if let running = inFlight[key] { return try await running.value.value }
        // Google answers a damaged key with a bare 401; say what is wrong before sending it.
        if case .basic(let username, let password)? = credential?.secret {
            do { try GoogleServiceAccountKey.validate(username: username, password: password, origin: credential?.source ?? "the credential") } catch {
                throw AuthError(kind: .invalidCredential(hint: error.hint), registry: registry, detail: error.message)
            }
        }
        let log = ExchangeLog()
        let task = Task { [http] in
            try await Self.fetch(http: http, registry: registry, realm: realm, service: challenge.service, scopes: scopes, credential: credential, log: log)
        }
        inFlight[key] = task
        fetchCount += 1
        defer { inFlight[key] = nil }
        let who: String =
            switch credential?.secret {
            case .basic(let username, _)?: "user \(Credential.usernameClass(username))"
            case .identityToken?: "identity token"
            case .registryToken?: "registry token"
            case nil: "anonymous"
            }
        let scopeText = "scopes=[\(sortedScopes.joined(separator: " "))]"
        let token: Token
        do { token = try await task.value } catch let error as AuthError {
            exchanges += log.lines.map { "\($0), \(scopeText), \(who)" }
            exchanges.append("  → failed: " + error.message)
            throw error
        }
        exchanges += log.lines.map { "\($0), \(scopeText), \(who)" }
        cache[key] = token
        return token.value
    }

    /// Forgets every token for a realm, after the registry refused one.
    public func invalidate(realm: String) {
        cache = cache.filter { $0.key.realm != realm }
    }

    private static func fetch(http: HTTPClient, registry: String, realm: String, service: String?, scopes: [String], credential: Credential?,
                              log: ExchangeLog) async throws -> Token {
        if case .identityToken(let refreshToken)? = credential?.secret {
            let response = try await http.send(oauthRequest(realm: realm, service: service, scopes: scopes, refreshToken: refreshToken), bodyLimit: 64 << 10)
            log.add("POST \(realm) grant_type=refresh_token service=\(service ?? "-") → HTTP \(response.status)")
            if response.status != 404 {
                return try parse(response, registry: registry, realm: realm)
            }
        }
        var url = realm
        var query: [String] = []
        if let service { query.append("service=" + formEncode(service)) }
        // Each scope as its own parameter; some registries read only the first.
        query += scopes.map { "scope=" + formEncode($0) }
        if !query.isEmpty { url += (realm.contains("?") ? "&" : "?") + query.joined(separator: "&") }
        var headers: [(name: String, value: String)] = []
        if case .basic(let username, let password)? = credential?.secret {
            headers.append(("Authorization", "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()))
        }
        let response = try await http.send(HTTPRequest(url: url, headers: headers, timeout: .seconds(60)), bodyLimit: 64 << 10)
        log.add("GET \(url) \(headers.isEmpty ? "without credentials" : "with Basic") → HTTP \(response.status)")
        // A realm that only speaks OAuth2 answers GET with 404/405; only then is the password sent in a POST.
        if [404, 405].contains(response.status), case .basic(let username, let password)? = credential?.secret {
            let post = passwordRequest(realm: realm, service: service, scopes: scopes, username: username, password: password)
            let retried = try await http.send(post, bodyLimit: 64 << 10)
            log.add("POST \(realm) grant_type=password service=\(service ?? "-") → HTTP \(retried.status)")
            if retried.isSuccess || retried.status != 404 { return try parse(retried, registry: registry, realm: realm) }
        }
        return try parse(response, registry: registry, realm: realm)
    }

    private static func passwordRequest(realm: String, service: String?, scopes: [String], username: String, password: String) -> HTTPRequest {
        var fields = ["grant_type=password", "username=" + formEncode(username), "password=" + formEncode(password), "client_id=xfn"]
        if let service { fields.append("service=" + formEncode(service)) }
        if !scopes.isEmpty { fields.append("scope=" + formEncode(scopes.joined(separator: " "))) }
        return HTTPRequest(
            method: "POST", url: realm, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(fields.joined(separator: "&").utf8), timeout: .seconds(60))
    }

    private static func oauthRequest(realm: String, service: String?, scopes: [String], refreshToken: String) -> HTTPRequest {
        var fields = ["grant_type=refresh_token", "refresh_token=" + formEncode(refreshToken), "client_id=xfn"]
        if let service { fields.append("service=" + formEncode(service)) }
        if !scopes.isEmpty { fields.append("scope=" + formEncode(scopes.joined(separator: " "))) }
        return HTTPRequest(
            method: "POST", url: realm, headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(fields.joined(separator: "&").utf8), timeout: .seconds(60))
    }

    private static func parse(_ response: HTTPResponse, registry: String, realm: String) throws -> Token {
        guard response.isSuccess else {
            throw AuthError(kind: .tokenRejected(status: response.status), registry: registry,
                            detail: "\(realm): " + ResponseSummary.text(of: response.body))
        }
        let document: Value
        do { document = try ValueJSON.parse(response.body) } catch {
            throw AuthError(kind: .invalidTokenResponse, registry: registry, detail: "the body is not JSON")
        }
        guard let value = document["token"]?.stringValue ?? document["access_token"]?.stringValue, !value.isEmpty else {
            throw AuthError(kind: .invalidTokenResponse, registry: registry, detail: "no token or access_token in the answer")
        }
        let declared = document["expires_in"]?.intValue.map { Duration.seconds($0) } ?? minimumLifetime
        var lifetime = max(declared, minimumLifetime)
        // `issued_at` moves the start of the lifetime back when the token server's answer was slow or
        // the token was minted earlier; a clock far off from ours is ignored.
        if let issued = document["issued_at"]?.stringValue.flatMap(parseTimestamp) {
            let age = Date().timeIntervalSince(issued)
            if age > 0, age < 3600 { lifetime = max(lifetime - .seconds(Int64(age)), .seconds(0)) }
        }
        return Token(value: value, expiresAt: .now + lifetime - refreshMargin)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The requests one token fetch made, for `exchanges`.
final class ExchangeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// A registry chooses where xfn sends credentials for a token; a hostile one must not be able to point
/// that at a cloud metadata service or downgrade it to plain HTTP.
enum RealmPolicy {
    static func check(realm: String, registry: String, plainHTTP: Bool) throws {
        guard let url = URL(string: realm), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else {
            throw AuthError(kind: .untrustedRealm, registry: registry, detail: "'\(realm)' is not a URL")
        }
        guard scheme == "https" || (scheme == "http" && plainHTTP) else {
            throw AuthError(kind: .untrustedRealm, registry: registry, detail: "'\(realm)' is not HTTPS")
        }
        let forbidden = host.hasPrefix("169.254.") || host == "metadata.google.internal" || host == "metadata"
            || host.hasPrefix("[fe80:") || host.hasPrefix("fe80:") || host == "[fd00:ec2::254]" || host == "fd00:ec2::254"
        guard !forbidden else {
            throw AuthError(kind: .untrustedRealm, registry: registry, detail: "'\(host)' is a link-local or metadata address")
        }
    }
}

