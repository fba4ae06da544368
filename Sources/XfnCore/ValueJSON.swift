import Foundation

/// JSON text ⇄ `Value`, keeping integers apart from doubles and object key order intact.
public enum ValueJSON {
    public struct SyntaxError: XfnError {
        public let offset: Int
        public let reason: String
        public var message: String { "invalid JSON at byte \(offset): \(reason)" }
        public var hint: String? { nil }
    }

    public static func parse(_ data: Data) throws -> Value {
        try data.withUnsafeBytes { try parse(bytes: $0) }
    }

    /// Parses JSON text in memory the caller owns, without copying it first.
    public static func parse(bytes raw: UnsafeRawBufferPointer) throws -> Value {
        var parser = Parser(bytes: raw.bindMemory(to: UInt8.self))
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.error("trailing characters after the document") }
        return value
    }

    public static func parse(_ text: String) throws -> Value { try parse(Data(text.utf8)) }

    /// Compact JSON; `sortKeys` writes object keys in byte order for stable output.
    public static func serialize(_ value: Value, sortKeys: Bool = false) -> String {
        var out = ""
        write(value, into: &out, sortKeys: sortKeys)
        return out
    }

    public static func write(_ value: Value, into out: inout String, sortKeys: Bool) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += formatDouble(d)
        case .string(let s): writeString(s, into: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out, sortKeys: sortKeys)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let keys = sortKeys ? object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } : object.keys
            for (index, key) in keys.enumerated() {
                if index > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(object[key]!, into: &out, sortKeys: sortKeys)
            }
            out += "}"
        }
    }

    /// Shortest text that reads back as the same double; whole numbers keep no fraction, as Go writes them.
    public static func formatDouble(_ d: Double) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf") }
        // Whole numbers inside Int64's range print without a fraction; beyond it Int64(d) would trap.
        if d == d.rounded(), abs(d) < 9.2e18 { return String(Int64(d)) }
        return "\(d)"
    }

    /// A JSON string literal. `escapeHTML` also escapes `<`, `>`, `&`, U+2028 and U+2029, as Go's
    /// `json.Marshal` does (Kubernetes error messages quote values that way).
    public static func writeString(_ s: String, into out: inout String, escapeHTML: Bool = false) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                if escapeHTML { out += unicodeEscape(scalar) } else { out.unicodeScalars.append(scalar) }
            case _ where scalar.value < 0x20: out += unicodeEscape(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        static let maximumDepth = 512
        /// Small objects and arrays already read, by their text: generated schemas repeat the same
        /// few (`{"type":"string"}`, reference and selector blocks) hundreds of times, and a
        /// repeat shares the first one's storage instead of being built again.
        var seen: [Span: Value] = [:]
        /// Set while a small container is parsed for the first time: the containers inside it are
        /// not looked up on their own, as scanning each again cost more than sharing them saved.
        var withinSmall = false
        static let repeatLimit = 160

        /// Bytes of the input, compared by content and hashed by a digest taken when they were found.
        struct Span: Hashable {
            let start: UnsafePointer<UInt8>
            let count: Int
            let digest: Int

            static func == (a: Span, b: Span) -> Bool { a.count == b.count && memcmp(a.start, b.start, a.count) == 0 }

            func hash(into hasher: inout Hasher) { hasher.combine(digest) }
        }

        /// Where the object or array starting at `index` ends, if it ends within `repeatLimit`
        /// bytes; only a guess, which a parse confirms before it is remembered. Most containers of
        /// a schema are larger and fail here, so the scan skips strings without looking at their
        /// bytes otherwise, and only a small container is digested.
        func smallEnd() -> (end: Int, digest: Int)? {
            var depth = 0
            var position = index
            let limit = min(bytes.count, index + Self.repeatLimit)
            while position < limit {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    while position < limit {
                        let inner = bytes[position]
                        position += 1
                        if inner == UInt8(ascii: "\\") { position += 1 } else if inner == UInt8(ascii: "\"") { break }
                    }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return (position, digest(from: index, to: position)) }
                default: break
                }
            }
            return nil
        }

        /// A digest of a few dozen bytes, eight at a time; a collision only costs a comparison.
        func digest(from start: Int, to end: Int) -> Int {
            let base = UnsafeRawPointer(bytes.baseAddress!)
            var digest = UInt64(truncatingIfNeeded: end - start) &* 0x9E37_79B9_7F4A_7C15
            var position = start
            while position + 8 <= end {
                digest = (digest ^ base.loadUnaligned(fromByteOffset: position, as: UInt64.self)) &* 0x100_0000_01B3
                digest ^= digest >> 29
                position += 8
            }
            var tail: UInt64 = 0
            while position < end {
                tail = tail << 8 | UInt64(bytes[position])
                position += 1
            }
            digest = (digest ^ tail) &* 0x9E37_79B9_7F4A_7C15
            return Int(truncatingIfNeeded: digest ^ digest >> 32)
        }

        /// Parses a container, answering a repeat of a small one from what was read before.
        mutating func parseContainer(depth: Int, _ parse: (inout Parser) throws -> Value) throws -> Value {
            // A small container nests at most `repeatLimit / 2` deep, so a repeat cannot cross the limit.
            guard !withinSmall, depth + Self.repeatLimit < Self.maximumDepth, let (end, digest) = smallEnd(),
                  let base = bytes.baseAddress else {
                return try parse(&self)
            }
            let span = Span(start: base + index, count: end - index, digest: digest)
            if let known = seen[span] {
                index = end
                return known
            }
            withinSmall = true
            defer { withinSmall = false }
            let value = try parse(&self)
            if index == end { seen[span] = value }
            return value
        }

        var atEnd: Bool { index >= bytes.count }

        func error(_ reason: String) -> SyntaxError { SyntaxError(offset: index, reason: reason) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: String, _ value: Value) throws -> Value {
            for byte in literal.utf8 {
                guard index < bytes.count, bytes[index] == byte else { throw error("expected \(literal)") }
                index += 1
            }
            return value
        }

        mutating func parseValue(depth: Int) throws -> Value {
            guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth) levels") }
            guard index < bytes.count else { throw error("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseContainer(depth: depth) { try $0.parseObject(depth: depth) }
            case UInt8(ascii: "["): return try parseContainer(depth: depth) { try $0.parseArray(depth: depth) }
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error("unexpected character '\(Character(Unicode.Scalar(bytes[index])))'")
            }
        }

        mutating func parseObject(depth: Int) throws -> Value {
            index += 1
            var object = ValueObject()
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipSpace()
                object[key] = try parseValue(depth: depth + 1)
                skipSpace()
                guard index < bytes.count else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
                throw error("expected ',' or '}'")
            }
        }

        mutating func parseArray(depth: Int) throws -> Value {
            index += 1
            var items: [Value] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw error("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']'")
            }
        }

        mutating func parseHex4() throws -> UInt32 {
            guard index + 4 <= bytes.count else { throw error("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = hexDigit(bytes[index]) else { throw error("invalid \\u escape") }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func parseString() throws -> String {
            index += 1
            // Most strings hold no escape: they are taken straight from the input.
            var end = index
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
                    index = end + 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                end += 1
            }
            var utf8: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[index..<end]))
            index = end
            while true {
                guard index < bytes.count else { throw error("unterminated string") }
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard index < bytes.count else { throw error("unterminated escape") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): utf8.append(0x22)
                    case UInt8(ascii: "\\"): utf8.append(0x5C)
                    case UInt8(ascii: "/"): utf8.append(0x2F)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if (0xD800..<0xDC00).contains(code), index + 1 < bytes.count,
                            bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        {
                            index += 2
                            let low = try parseHex4()
                            if (0xDC00..<0xE000).contains(low) {
                                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            }
                        }
                        let scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
                        utf8.append(contentsOf: Array(String(scalar).utf8))
                    default: throw error("invalid escape")
                    }
                case 0..<0x20:
                    throw error("control character in string")
                default:
                    utf8.append(byte)
                }
            }
        }

        mutating func parseNumber() throws -> Value {
            let start = index
            var isInteger = true
            let negative = bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            // Short integers are read directly; anything else goes through the text below.
            var magnitude: Int64 = 0
            var digits = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                    if digits < 18 { magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0")) }
                    digits += 1
                    index += 1
                } else {
                    switch byte {
                    case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
                        isInteger = false
                        index += 1
                        continue
                    default:
                        break
                    }
                    break
                }
            }
            if isInteger, digits > 0, digits < 18, digits == 1 || bytes[negative ? start + 1 : start] != UInt8(ascii: "0") {
                return .int(negative ? -magnitude : magnitude)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if isInteger, let integer = Int64(text) { return .int(integer) }
            guard let double = Double(text) else { throw SyntaxError(offset: start, reason: "invalid number '\(text)'") }
            return .double(double)
        }
    }
}

@inline(__always) func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}
