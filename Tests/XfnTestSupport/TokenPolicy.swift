/// What a caller presented to the token server.
public enum TokenCredential: Sendable, Hashable {
    case anonymous
    /// GET with `Authorization: Basic`.
    case basic(username: String, password: String)
    /// OAuth2 POST with `grant_type=password`.
    case password(username: String, password: String)
    /// OAuth2 POST with `grant_type=refresh_token`.
    case refreshToken(String)
}

/// Who the token server decided the caller is; becomes the JWT `sub` (empty for anonymous).
public enum TokenIdentity: Sendable, Hashable {
    case anonymous
    case user(String)

    public var subject: String {
        switch self {
        case .anonymous: ""
        case .user(let name): name
        }
    }
}

/// One `scope=` entry: `type:name:action,action`. The name may hold colons (`host:port/repo`), so the
/// type ends at the first colon and the actions start after the last one.
public struct TokenScope: Sendable, Hashable, CustomStringConvertible {
    public let type: String
    public let name: String
    public let actions: [String]

    public init(type: String, name: String, actions: [String]) {
        self.type = type
        self.name = name
        self.actions = actions
    }

    public init?(parsing text: String) {
        guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":"), first < last else { return nil }
        type = String(text[..<first])
        name = String(text[text.index(after: first)..<last])
        actions = text[text.index(after: last)...].split(separator: ",").map(String.init)
    }

    public var description: String { "\(type):\(name):\(actions.joined(separator: ","))" }
}

/// The token server's rules. `authenticate` turns a credential into an identity (nil answers 401);
/// `grant` lists the actions that identity may have on a scope ("*" = all), and the server issues the
/// intersection with what was asked, as real token servers do.
public struct TokenPolicy: Sendable {
    public var authenticate: @Sendable (TokenCredential) -> TokenIdentity?
    public var grant: @Sendable (TokenIdentity, TokenScope) -> Set<String>
    /// When false, POST to the realm answers 404 like registries without OAuth2 support.
    public var oauthEnabled: Bool
    /// Handed out as `refresh_token` to callers that ask for offline access or use a refresh grant.
    public var refreshToken: String?
    public var expiresIn: Int

    public init(
        authenticate: @escaping @Sendable (TokenCredential) -> TokenIdentity?,
        grant: @escaping @Sendable (TokenIdentity, TokenScope) -> Set<String>,
        oauthEnabled: Bool = false,
        refreshToken: String? = nil,
        expiresIn: Int = 300
    ) {
        self.authenticate = authenticate
        self.grant = grant
        self.oauthEnabled = oauthEnabled
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }

    /// Named users with passwords get every action they ask for; anonymous callers may pull
    /// repositories whose names start with one of `anonymousPullPrefixes` and nothing else.
    /// `refreshToken`, when set, is issued for offline requests and accepted for `refreshTokenUser`.
    public static func users(
        _ users: [String: String],
        anonymousPullPrefixes: [String] = [],
        oauthEnabled: Bool = false,
        refreshToken: String? = nil,
        refreshTokenUser: String = "refresh-user"
    ) -> TokenPolicy {
        TokenPolicy(
            authenticate: { credential in
                switch credential {
                case .anonymous:
                    return .anonymous
                case .basic(let name, let password), .password(let name, let password):
                    return users[name] == password ? .user(name) : nil
                case .refreshToken(let token):
                    return token == refreshToken ? .user(refreshTokenUser) : nil
                }
            },
            grant: { identity, scope in
                switch identity {
                case .user: return ["*"]
                case .anonymous:
                    let open = scope.type == "repository" && anonymousPullPrefixes.contains { scope.name.hasPrefix($0) }
                    return open ? ["pull"] : []
                }
            },
            oauthEnabled: oauthEnabled,
            refreshToken: refreshToken)
    }

    /// Accepts exactly one username/password pair (for example `_json_key` and a key file's text) and
    /// rejects every other credential, anonymous included.
    public static func onlyUser(_ name: String, password: String) -> TokenPolicy {
        TokenPolicy(
            authenticate: { credential in
                switch credential {
                case .basic(name, password), .password(name, password): .user(name)
                default: nil
                }
            },
            grant: { _, _ in ["*"] },
            oauthEnabled: true)
    }

    /// Accepts only an OAuth2 refresh-token grant with exactly `token`; the OAuth2 endpoint is on.
    public static func onlyRefreshToken(_ token: String, subject: String = "token-user") -> TokenPolicy {
        TokenPolicy(
            authenticate: { credential in
                if case .refreshToken(token) = credential { return .user(subject) }
                return nil
            },
            grant: { _, _ in ["*"] },
            oauthEnabled: true,
            refreshToken: token)
    }
}
