import XfnCore

/// Kubernetes' URL library: `url`, `isURL`, `getScheme`, `getHost`, `getHostname`, `getPort`,
/// `getEscapedPath`, `getQuery`. Parsing follows Go's `url.ParseRequestURI`: an absolute URL or
/// an absolute path, no relative references.
enum URLLibrary {
    struct ParsedURL: CELObject {
        var scheme = ""
        var host = ""
        var rawPath = ""
        var rawQuery = ""
        var opaque = ""
        let text: String

        var celType: CELType { CELType("kubernetes.URL") }
        var description: String { text }
        func isEqual(to other: any CELObject) -> Bool { (other as? ParsedURL)?.text == text }

        var hostname: String {
            if host.hasPrefix("[") {
                guard let close = host.firstIndex(of: "]") else { return host }
                return String(host[host.index(after: host.startIndex)..<close])
            }
            if let colon = host.lastIndex(of: ":") { return String(host[..<colon]) }
            return host
        }

        var port: String {
            let afterBracket = host.lastIndex(of: "]").map { host[host.index(after: $0)...] } ?? host[...]
            guard let colon = afterBracket.lastIndex(of: ":") else { return "" }
            return String(afterBracket[afterBracket.index(after: colon)...])
        }
    }

    static func parse(_ s: String) -> ParsedURL? {
        guard !s.isEmpty, !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        var u = ParsedURL(text: s)
        var rest = Substring(s)
        if !rest.hasPrefix("/") {
            guard let colon = rest.firstIndex(of: ":") else { return nil }
            let scheme = rest[..<colon]
            guard let first = scheme.first, first.isASCII, first.isLetter,
                  scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
            else { return nil }
            u.scheme = scheme.lowercased()
            rest = rest[rest.index(after: colon)...]
        }
        // Validation reads the fragment as part of the path or query (ParseRequestURI); the URL value
        // that functions see drops it (Parse), as Kubernetes does both.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if let q = rest.firstIndex(of: "?") {
            u.rawQuery = String(rest[rest.index(after: q)...])
            rest = rest[..<q]
        }
        if !rest.hasPrefix("/") {
            guard !u.scheme.isEmpty else { return nil }
            u.opaque = String(rest)
            return u
        }
        if rest.hasPrefix("//"), !u.scheme.isEmpty {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<end]
            rest = rest[end...]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            guard validHost(authority) else { return nil }
            u.host = String(authority)
        }
        guard percentValid(rest) else { return nil }
        u.rawPath = String(rest)
        return u
    }

    private static func validHost(_ h: Substring) -> Bool {
        var hostPart = h
        var port: Substring = ""
        if h.hasPrefix("[") {
            guard let close = h.firstIndex(of: "]") else { return false }
            let after = h[h.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            hostPart = h[h.index(after: h.startIndex)..<close]
            guard IPAddress.parse(String(hostPart)) != nil else { return false }
        } else if let colon = h.lastIndex(of: ":") {
            hostPart = h[..<colon]
            port = h[h.index(after: colon)...]
            guard !hostPart.contains(":") else { return false }
        }
        guard port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return percentValid(hostPart) && !hostPart.contains(where: { " <>\"{}|\\^`".contains($0) })
    }

    private static func percentValid(_ s: Substring) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) else { return false }
                i += 3
            } else {
                i += 1
            }
        }
        return true
    }

    private static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 102)
    }

    /// Characters Go leaves unescaped in a path.
    private static func pathSafe(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c | 0x20 >= 97 && c | 0x20 <= 122) || "-_.~$&+,/:;=@!'()*%".utf8.contains(c)
    }

    static func escapedPath(_ raw: String) -> String {
        var out = ""
        for c in raw.utf8 {
            if pathSafe(c) { out.unicodeScalars.append(Unicode.Scalar(c)) } else {
                out += "%" + GoFormat.hex(UInt32(c), width: 2).uppercased()
            }
        }
        return out
    }

    static func unescape(_ s: Substring, plusIsSpace: Bool) -> String {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%"), i + 2 < b.count, isHex(b[i + 1]), isHex(b[i + 2]) {
                out.append(UInt8(String(decoding: b[i + 1...i + 2], as: UTF8.self), radix: 16)!)
                i += 3
            } else if plusIsSpace, b[i] == UInt8(ascii: "+") {
                out.append(0x20)
                i += 1
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func url(_ v: CELValue, _ fn: String) throws -> ParsedURL {
        guard case .object(let o) = v, let u = o as? ParsedURL else { throw CELEvalError.noOverload(fn) }
        return u
    }

    static var functions: [CELFunction] {
        [
            CELFunction("url", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("url") }
                guard let u = parse(s) else { throw CELEvalError.general("URL parse error during conversion from string: \(s)") }
                return .object(u)
            },
            CELFunction("isURL", arity: 1...1) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("isURL") }
                return .bool(parse(s) != nil)
            },
            CELFunction("getScheme", .receiver, arity: 1...1) { a in .string(try url(a[0], "getScheme").scheme) },
            CELFunction("getHost", .receiver, arity: 1...1) { a in .string(try url(a[0], "getHost").host) },
            CELFunction("getHostname", .receiver, arity: 1...1) { a in .string(try url(a[0], "getHostname").hostname) },
            CELFunction("getPort", .receiver, arity: 1...1) { a in .string(try url(a[0], "getPort").port) },
            CELFunction("getEscapedPath", .receiver, arity: 1...1) { a in
                .string(escapedPath(try url(a[0], "getEscapedPath").rawPath))
            },
            CELFunction("getQuery", .receiver, arity: 1...1) { a in
                let u = try url(a[0], "getQuery")
                var m = CELMap()
                for pair in u.rawQuery.split(separator: "&") where !pair.isEmpty {
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    let k = CELValue.string(unescape(kv[0], plusIsSpace: true))
                    let v = CELValue.string(kv.count > 1 ? unescape(kv[1], plusIsSpace: true) : "")
                    if case .list(let existing)? = m[k] { try m.set(k, .list(existing + [v])) } else { try m.set(k, .list([v])) }
                }
                return .map(m)
            },
        ]
    }
}
