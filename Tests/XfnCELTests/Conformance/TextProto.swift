/// A small reader for protobuf text format, enough for the CEL conformance `SimpleTestFile`s:
/// `name: value`, `name { … }`, `name: { … }`, `[type.url] { … }`, `#` comments, string escapes and
/// adjacent-string concatenation. Field values are kept untyped; the caller knows the schema.
indirect enum TextProto: Sendable {
    case scalar(String)
    /// A quoted string's bytes after unescaping.
    case bytes([UInt8])
    case message([(name: String, value: TextProto)])

    var fields: [(name: String, value: TextProto)] {
        if case .message(let f) = self { f } else { [] }
    }

    func all(_ name: String) -> [TextProto] { fields.filter { $0.name == name }.map(\.value) }
    subscript(_ name: String) -> TextProto? { fields.first { $0.name == name }?.value }

    var text: String? {
        switch self {
        case .scalar(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .message: nil
        }
    }

    var rawBytes: [UInt8]? {
        switch self {
        case .bytes(let b): b
        case .scalar(let s): Array(s.utf8)
        case .message: nil
        }
    }

    struct ParseError: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "text proto parse error at byte \(offset): \(reason)" }
    }

    static func parse(_ source: String) throws -> TextProto {
        var r = Reader(bytes: Array(source.utf8))
        let fields = try r.fields(until: nil)
        return .message(fields)
    }

    private struct Reader {
        let bytes: [UInt8]
        var pos = 0

        mutating func skip() {
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "#") {
                    while pos < bytes.count, bytes[pos] != 0x0A { pos += 1 }
                } else if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D || c == UInt8(ascii: ",")
                    || c == UInt8(ascii: ";")
                {
                    pos += 1
                } else {
                    return
                }
            }
        }

        func fail(_ reason: String) -> ParseError { ParseError(offset: pos, reason: reason) }

        mutating func fields(until close: UInt8?) throws -> [(name: String, value: TextProto)] {
            var out: [(name: String, value: TextProto)] = []
            while true {
                skip()
                if pos >= bytes.count {
                    if close != nil { throw fail("unexpected end") }
                    return out
                }
                if let close, bytes[pos] == close { pos += 1; return out }
                let name = try fieldName()
                skip()
                var hadColon = false
                if pos < bytes.count, bytes[pos] == UInt8(ascii: ":") { pos += 1; hadColon = true; skip() }
                guard pos < bytes.count else { throw fail("missing value") }
                let c = bytes[pos]
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "<") {
                    pos += 1
                    out.append((name, .message(try fields(until: c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")))))
                } else if c == UInt8(ascii: "[") && hadColon {
                    pos += 1
                    while true {
                        skip()
                        if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
                        out.append((name, try scalarOrMessage()))
                    }
                } else {
                    out.append((name, try scalarOrMessage()))
                }
            }
        }

        mutating func scalarOrMessage() throws -> TextProto {
            let c = bytes[pos]
            if c == UInt8(ascii: "{") {
                pos += 1
                return .message(try fields(until: UInt8(ascii: "}")))
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                var all: [UInt8] = []
                while pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") || bytes[pos] == UInt8(ascii: "'") {
                    all += try quoted()
                    let save = pos
                    skipSpaceOnly()
                    if pos >= bytes.count || (bytes[pos] != UInt8(ascii: "\"") && bytes[pos] != UInt8(ascii: "'")) {
                        pos = save
                        break
                    }
                }
                return .bytes(all)
            }
            let start = pos
            while pos < bytes.count {
                let d = bytes[pos]
                if d == 0x20 || d == 0x0A || d == 0x09 || d == 0x0D || d == UInt8(ascii: ",") || d == UInt8(ascii: ";")
                    || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") || d == UInt8(ascii: "#") || d == UInt8(ascii: ">")
                { break }
                pos += 1
            }
            guard pos > start else { throw fail("expected a value") }
            return .scalar(String(decoding: bytes[start..<pos], as: UTF8.self))
        }

        mutating func skipSpaceOnly() {
            while pos < bytes.count, [0x20, 0x0A, 0x09, 0x0D].contains(bytes[pos]) { pos += 1 }
        }

        mutating func fieldName() throws -> String {
            if bytes[pos] == UInt8(ascii: "[") {
                let start = pos
                while pos < bytes.count, bytes[pos] != UInt8(ascii: "]") { pos += 1 }
                pos += 1
                return String(decoding: bytes[start..<pos], as: UTF8.self)
            }
            let start = pos
            while pos < bytes.count {
                let c = bytes[pos]
                let ok = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                    || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
                if !ok { break }
                pos += 1
            }
            guard pos > start else { throw fail("expected a field name") }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }

        mutating func quoted() throws -> [UInt8] {
            let q = bytes[pos]
            pos += 1
            var out: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw fail("unterminated string") }
                let c = bytes[pos]
                pos += 1
                if c == q { return out }
                guard c == UInt8(ascii: "\\") else { out.append(c); continue }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "a"): out.append(0x07)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "v"): out.append(0x0B)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var v = Int(e - 48)
                    var n = 1
                    while n < 3, pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 55 {
                        v = v * 8 + Int(bytes[pos] - 48)
                        pos += 1
                        n += 1
                    }
                    out.append(UInt8(v & 0xFF))
                case UInt8(ascii: "x"):
                    var v = 0
                    var n = 0
                    while n < 2, pos < bytes.count, let h = Character(Unicode.Scalar(bytes[pos])).hexDigitValue {
                        v = v * 16 + h
                        pos += 1
                        n += 1
                    }
                    out.append(UInt8(v))
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let n = e == UInt8(ascii: "u") ? 4 : 8
                    var v: UInt32 = 0
                    for _ in 0..<n {
                        guard let h = Character(Unicode.Scalar(bytes[pos])).hexDigitValue else { throw fail("bad \\u") }
                        v = v * 16 + UInt32(h)
                        pos += 1
                    }
                    out += Array(String(Character(Unicode.Scalar(v)!)).utf8)
                default: out.append(e)
                }
            }
        }
    }
}
