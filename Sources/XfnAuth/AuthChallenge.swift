/// One challenge from a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`.
public struct AuthChallenge: Sendable, Hashable {
    /// Lower-cased (`basic`, `bearer`).
    public let scheme: String
    /// Parameter names lower-cased; values unquoted and unescaped.
    public let parameters: [String: String]
    public let token68: String?

    public init(scheme: String, parameters: [String: String], token68: String? = nil) {
        self.scheme = scheme.lowercased()
        self.parameters = parameters
        self.token68 = token68
    }

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    /// The scopes the registry asked for, space-separated in the header.
    public var scopes: [String] { parameters["scope"]?.split(separator: " ").map(String.init) ?? [] }

    /// Parses every header value; a value may hold several challenges (RFC 7235 §4.1).
    public static func parse(headerValues: [String]) -> [AuthChallenge] {
        headerValues.flatMap { parse(headerValue: $0) }
    }

    public static func parse(headerValue: String) -> [AuthChallenge] {
        var scanner = ChallengeScanner(Array(headerValue.utf8))
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip(while: { $0 == UInt8(ascii: ",") || ChallengeScanner.isSpace($0) })
            guard let scheme = scanner.token(), !scheme.isEmpty else { break }
            var parameters: [String: String] = [:]
            var token68: String?
            scanner.skip(while: ChallengeScanner.isSpace)
            // Parameters follow until the next `token SP` that starts another challenge.
            while !scanner.atEnd {
                let mark = scanner.position
                scanner.skip(while: { $0 == UInt8(ascii: ",") || ChallengeScanner.isSpace($0) })
                guard let name = scanner.token() else {
                    if let t68 = scanner.token68(), token68 == nil, parameters.isEmpty { token68 = t68; continue }
                    scanner.position = mark
                    break
                }
                scanner.skip(while: ChallengeScanner.isSpace)
                guard scanner.peek == UInt8(ascii: "=") else {
                    scanner.position = mark
                    break
                }
                scanner.advance()
                if scanner.peek == UInt8(ascii: "="), parameters.isEmpty {
                    // `token68` values end in `=` padding, e.g. `Negotiate abc==`.
                    scanner.position = mark
                    token68 = scanner.token68()
                    continue
                }
                scanner.skip(while: ChallengeScanner.isSpace)
                let value = scanner.peek == UInt8(ascii: "\"") ? scanner.quotedString() : (scanner.token() ?? "")
                parameters[name.lowercased()] = value
            }
            challenges.append(AuthChallenge(scheme: scheme, parameters: parameters, token68: token68))
        }
        return challenges
    }
}

private struct ChallengeScanner {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }
    var peek: UInt8? { atEnd ? nil : bytes[position] }
    mutating func advance() { position += 1 }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// RFC 7230 `tchar`.
    static func isTokenCharacter(_ b: UInt8) -> Bool {
        if (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { return true }
        return "!#$%&'*+-.^_`|~".utf8.contains(b)
    }

    mutating func skip(while predicate: (UInt8) -> Bool) {
        while let b = peek, predicate(b) { position += 1 }
    }

    mutating func token() -> String? {
        let start = position
        skip(while: Self.isTokenCharacter)
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    mutating func token68() -> String? {
        let start = position
        skip(while: { Self.isTokenCharacter($0) || $0 == UInt8(ascii: "/") })
        skip(while: { $0 == UInt8(ascii: "=") })
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    /// A quoted string with backslash escapes; an unterminated one runs to the end of the header.
    mutating func quotedString() -> String {
        advance()
        var out: [UInt8] = []
        while let b = peek {
            advance()
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\"), let next = peek {
                out.append(next)
                advance()
                continue
            }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
