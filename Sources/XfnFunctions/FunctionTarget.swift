/// Where a running function listens, parsed from the gRPC target syntax crossplane accepts in
/// `render.crossplane.io/runtime-development-target`: `host:port`, `dns:///host:port`,
/// `ipv4:127.0.0.1:9443`, `unix:/path` or `unix:///path`.
public enum FunctionTarget: Sendable, Hashable, CustomStringConvertible {
    case host(String, port: Int)
    case unixSocket(String)

    public init?(parsing text: String) {
        var rest = Substring(text)
        if rest.hasPrefix("unix://") {
            let path = rest.dropFirst("unix://".count)
            guard path.hasPrefix("/") else { return nil }
            self = .unixSocket(String(path))
            return
        }
        if rest.hasPrefix("unix:") {
            let path = rest.dropFirst("unix:".count)
            guard !path.isEmpty else { return nil }
            self = .unixSocket(String(path))
            return
        }
        for scheme in ["dns:///", "dns:", "ipv4:", "ipv6:", "passthrough:///"] where rest.hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            break
        }
        let host: Substring
        let portText: Substring
        if rest.hasPrefix("[") {
            // [::1]:9443
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (1...65535).contains(port) else { return nil }
        self = .host(String(host), port: port)
    }

    public var description: String {
        switch self {
        case .host(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
