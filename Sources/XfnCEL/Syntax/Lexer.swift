/// Splits CEL source into tokens. Works on UTF-8 bytes so offsets are byte offsets.
struct Lexer {
    private let bytes: [UInt8]
    private let source: String
    private var pos = 0

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]

    /// The punctuator at the current position, the longest that matches (`==` rather than `=`).
    private func punctuator() -> String? {
        guard let c = peek() else { return nil }
        let second = peek(1)
        func pair(_ next: Character, _ both: String, _ single: String?) -> String? {
            second == next.asciiValue ? both : single
        }
        switch c {
        case UInt8(ascii: "="): return pair("=", "==", nil)
        case UInt8(ascii: "!"): return pair("=", "!=", "!")
        case UInt8(ascii: "<"): return pair("=", "<=", "<")
        case UInt8(ascii: ">"): return pair("=", ">=", ">")
        case UInt8(ascii: "&"): return pair("&", "&&", nil)
        case UInt8(ascii: "|"): return pair("|", "||", nil)
        case UInt8(ascii: "."): return pair("?", ".?", ".")
        case UInt8(ascii: "["): return pair("?", "[?", "[")
        case UInt8(ascii: "+"): return "+"
        case UInt8(ascii: "-"): return "-"
        case UInt8(ascii: "*"): return "*"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "%"): return "%"
        case UInt8(ascii: "?"): return "?"
        case UInt8(ascii: ":"): return ":"
        case UInt8(ascii: ","): return ","
        case UInt8(ascii: "("): return "("
        case UInt8(ascii: ")"): return ")"
        case UInt8(ascii: "]"): return "]"
        case UInt8(ascii: "{"): return "{"
        case UInt8(ascii: "}"): return "}"
        default: return nil
        }
    }

    func error(_ reason: String, at offset: Int) -> CELParseError {
        CELParseError(reason: reason, offset: offset, source: source)
    }

    mutating func tokenize() throws(CELParseError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = try next()
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        pos + ahead < bytes.count ? bytes[pos + ahead] : nil
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                pos += 1
            } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let d = peek(), d != 0x0A { pos += 1 }
            } else {
                return
            }
        }
    }

    private mutating func next() throws(CELParseError) -> Token {
        skipTrivia()
        let start = pos
        guard let c = peek() else { return Token(kind: .eof, offset: pos) }
        if isDigit(c) || (c == UInt8(ascii: ".") && peek(1).map(isDigit) == true) {
            return try number(start)
        }
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            return try string(start, raw: false, bytes: false)
        }
        if isIdentStart(c) {
            // String prefixes: r, b, rb, br in either case.
            var raw = false
            var isBytes = false
            var i = 0
            while i < 2, let p = peek(i) {
                if (p | 0x20) == UInt8(ascii: "r"), !raw { raw = true } else if (p | 0x20) == UInt8(ascii: "b"), !isBytes {
                    isBytes = true
                } else { break }
                i += 1
                if let q = peek(i), q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") {
                    pos += i
                    return try string(start, raw: raw, bytes: isBytes)
                }
            }
            while let d = peek(), isIdentStart(d) || isDigit(d) { pos += 1 }
            let name = String(decoding: bytes[start..<pos], as: UTF8.self)
            switch name {
            case "true", "false", "null", "in": return Token(kind: .punct(name), offset: start)
            default: return Token(kind: .ident(name), offset: start)
            }
        }
        if c == UInt8(ascii: "`") {
            pos += 1
            let s = pos
            while let d = peek(), d != UInt8(ascii: "`") {
                if d == 0x0A { throw error("unterminated quoted identifier", at: start) }
                pos += 1
            }
            guard peek() != nil else { throw error("unterminated quoted identifier", at: start) }
            let name = String(decoding: bytes[s..<pos], as: UTF8.self)
            pos += 1
            let ok = !name.isEmpty && name.utf8.allSatisfy {
                isIdentStart($0) || isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-")
                    || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: " ")
            }
            guard ok else { throw error("invalid quoted identifier", at: start) }
            return Token(kind: .quotedIdent(name), offset: start)
        }
        if let p = punctuator() {
            pos += p.utf8.count
            return Token(kind: .punct(p), offset: start)
        }
        if c == UInt8(ascii: "=") || c == UInt8(ascii: "&") || c == UInt8(ascii: "|") {
            throw error("token recognition error at: '\(Character(Unicode.Scalar(c)))'", at: start)
        }
        let ch = source.utf8[source.utf8.index(source.utf8.startIndex, offsetBy: start)...]
        throw error("token recognition error at: '\(String(String(decoding: ch, as: UTF8.self).prefix(1)))'", at: start)
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
    }
    private func isIdentStart(_ c: UInt8) -> Bool {
        (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z")) || c == UInt8(ascii: "_")
    }

    private mutating func number(_ start: Int) throws(CELParseError) -> Token {
        // Only a lowercase `0x` starts a hex literal in the CEL grammar.
        if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") {
            pos += 2
            let s = pos
            while let d = peek(), isHex(d) { pos += 1 }
            let digits = String(decoding: bytes[s..<pos], as: UTF8.self)
            guard !digits.isEmpty else { throw error("invalid hex literal", at: start) }
            if let u = peek(), u | 0x20 == UInt8(ascii: "u") {
                pos += 1
                guard let v = UInt64(digits, radix: 16) else { throw error("invalid uint literal", at: start) }
                return Token(kind: .uint(v), offset: start)
            }
            if let v = Int64(digits, radix: 16) { return Token(kind: .int(v), offset: start) }
            return Token(kind: .intOverflow("0x" + digits), offset: start)
        }
        var isFloat = false
        while let d = peek(), isDigit(d) { pos += 1 }
        if peek() == UInt8(ascii: "."), let d = peek(1), isDigit(d) {
            isFloat = true
            pos += 1
            while let d = peek(), isDigit(d) { pos += 1 }
        }
        if let e = peek(), e | 0x20 == UInt8(ascii: "e") {
            var i = 1
            if let sgn = peek(1), sgn == UInt8(ascii: "+") || sgn == UInt8(ascii: "-") { i = 2 }
            if let d = peek(i), isDigit(d) {
                isFloat = true
                pos += i
                while let d = peek(), isDigit(d) { pos += 1 }
            }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        if isFloat {
            guard let v = Double(text) else { throw error("invalid double literal", at: start) }
            return Token(kind: .double(v), offset: start)
        }
        if let u = peek(), u | 0x20 == UInt8(ascii: "u") {
            pos += 1
            guard let v = UInt64(text) else { throw error("invalid uint literal", at: start) }
            return Token(kind: .uint(v), offset: start)
        }
        if let v = Int64(text) { return Token(kind: .int(v), offset: start) }
        return Token(kind: .intOverflow(text), offset: start)
    }

    private mutating func string(_ start: Int, raw: Bool, bytes isBytes: Bool) throws(CELParseError) -> Token {
        let quote = bytes[pos]
        let triple = peek(1) == quote && peek(2) == quote
        pos += triple ? 3 : 1
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated string literal", at: start) }
            if c == quote {
                if !triple { pos += 1; break }
                if peek(1) == quote && peek(2) == quote { pos += 3; break }
            }
            if !triple && (c == 0x0A || c == 0x0D) { throw error("newline in string literal", at: pos) }
            if c == UInt8(ascii: "\\") && !raw {
                try escape(into: &out, bytes: isBytes)
                continue
            }
            out.append(c)
            pos += 1
        }
        if isBytes { return Token(kind: .bytes(out), offset: start) }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw error("invalid UTF-8 in string literal", at: start)
        }
        return Token(kind: .string(s), offset: start)
    }

    private mutating func escape(into out: inout [UInt8], bytes isBytes: Bool) throws(CELParseError) {
        let at = pos
        pos += 1
        guard let c = peek() else { throw error("unterminated escape", at: at) }
        pos += 1
        func appendScalar(_ v: UInt32) throws(CELParseError) {
            guard let s = Unicode.Scalar(v) else { throw error("invalid unicode escape", at: at) }
            out.append(contentsOf: Array(String(Character(s)).utf8))
        }
        switch c {
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "\\"), UInt8(ascii: "?"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "`"):
            out.append(c)
        case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            if isBytes, c | 0x20 == UInt8(ascii: "u") {
                throw error("unicode escapes are not allowed in bytes literals", at: at)
            }
            let n = c == UInt8(ascii: "u") ? 4 : c == UInt8(ascii: "U") ? 8 : 2
            var v: UInt32 = 0
            for _ in 0..<n {
                guard let d = peek(), isHex(d) else { throw error("invalid escape sequence", at: at) }
                v = v * 16 + UInt32(hexValue(d))
                pos += 1
            }
            if n == 2 {
                if isBytes { out.append(UInt8(v)) } else { try appendScalar(v) }
            } else {
                try appendScalar(v)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "3"):
            var v = UInt32(c - 0x30)
            for _ in 0..<2 {
                guard let d = peek(), d >= 0x30 && d <= 0x37 else { throw error("invalid octal escape", at: at) }
                v = v * 8 + UInt32(d - 0x30)
                pos += 1
            }
            if isBytes { out.append(UInt8(v)) } else { try appendScalar(v) }
        default:
            throw error("invalid escape sequence", at: at)
        }
    }

    private func hexValue(_ d: UInt8) -> UInt8 {
        isDigit(d) ? d - 0x30 : (d | 0x20) - UInt8(ascii: "a") + 10
    }
}
