import XfnCore

/// A request that never produced an HTTP response, or whose body could not be taken.
public struct HTTPError: XfnError {
    public enum Kind: Sendable, Equatable {
        case cannotResolve
        case cannotConnect
        case tls
        case timedOut
        case interrupted
        case tooLarge(limit: Int)
        case other
    }

    public let kind: Kind
    public let url: String
    public let detail: String

    public init(kind: Kind, url: String, detail: String) {
        self.kind = kind
        self.url = url
        self.detail = detail
    }

    public var message: String {
        switch kind {
        case .tooLarge(let limit): "response from \(url) is larger than the \(limit)-byte limit"
        default: "request to \(url) failed: \(detail)"
        }
    }

    public var hint: String? {
        let host = HTTPError.hostPort(of: url)
        switch kind {
        case .cannotResolve: return "check the registry name and your DNS or proxy settings"
        case .cannotConnect:
            return url.hasPrefix("https://")
                ? "is the registry running and reachable? For a registry that speaks plain HTTP, pass --plain-http \(host)"
                : "is the registry running and reachable at \(host)?"
        case .tls where detail.contains("wrong version number"):
            return "\(host) answered TLS with plain HTTP; if it serves plain HTTP, pass --plain-http \(host)"
        case .tls:
            return "trust the registry's CA by placing it at ~/.config/containers/certs.d/\(host)/ca.crt (or /etc/docker/certs.d/\(host)/ca.crt); --insecure-skip-tls-verify \(host) turns verification off"
        case .timedOut: return "the registry stopped answering; try again, or check proxies (HTTPS_PROXY, NO_PROXY)"
        case .interrupted: return "the connection broke; running the command again resumes where it stopped"
        default: return nil
        }
    }

    public var exitCode: ExitStatus { .registry }

    /// Whether trying again could help.
    public var isTransient: Bool {
        switch kind {
        case .timedOut, .interrupted, .cannotConnect: true
        default: false
        }
    }

    /// `host:port` of a URL, as written.
    public static func hostPort(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        return String(rest.prefix { $0 != "/" && $0 != "?" })
    }
}
