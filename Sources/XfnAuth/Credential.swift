/// A secret that can authenticate to a registry, and where it came from. Never printed: `description`
/// shows only the kind, the user name class and the source.
public struct Credential: Sendable, Hashable, CustomStringConvertible {
    public enum Secret: Sendable, Hashable {
        /// A user name and password (or a password-like token) sent as HTTP Basic or to a token realm.
        case basic(username: String, password: String)
        /// An OAuth2 refresh token (`identitytoken`), exchanged with the `refresh_token` grant.
        case identityToken(String)
        /// A ready bearer token (`registrytoken`), sent as it is.
        case registryToken(String)
    }

    public let secret: Secret
    /// Human description of the source: `~/.docker/config.json (auths["ghcr.io"])`.
    public let source: String

    public init(secret: Secret, source: String) {
        self.secret = secret
        self.source = source
    }

    public var description: String { "\(summary) from \(source)" }

    /// The kind of secret and the user name, without the source.
    public var summary: String {
        switch secret {
        case .basic(let username, _): "user \(Credential.usernameClass(username))"
        case .identityToken: "identity token"
        case .registryToken: "registry token"
        }
    }

    /// User names are not secret and tell the reader which flow is meant (`_json_key`, `AWS`, …).
    public static func usernameClass(_ username: String) -> String {
        switch username {
        case "_json_key": "'_json_key' (Google service-account key JSON)"
        case "_json_key_base64": "'_json_key_base64' (base64 of a Google service-account key)"
        case "oauth2accesstoken", "_token", "_dcgcloud_token": "'\(username)' (Google OAuth2 access token)"
        case "AWS": "'AWS' (ECR authorization token)"
        case acrRefreshTokenUser: "'\(username)' (ACR refresh token)"
        case "<token>": "'<token>' (identity token)"
        default: "'\(username)'"
        }
    }

    /// The user name with which ACR (`az acr login --expose-token`) marks a refresh token as password.
    public static let acrRefreshTokenUser = "00000000-0000-0000-0000-000000000000"

    /// A stable fingerprint for cache keys that does not reveal the secret.
    var fingerprint: String {
        let text: String =
            switch secret {
            case .basic(let username, let password): "basic\u{0}\(username)\u{0}\(password)"
            case .identityToken(let token): "identity\u{0}\(token)"
            case .registryToken(let token): "registry\u{0}\(token)"
            }
        return String(text.hashValue, radix: 16)
    }
}
