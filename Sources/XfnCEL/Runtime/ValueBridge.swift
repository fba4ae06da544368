import XfnCore

extension CELValue: CustomStringConvertible {
    /// Converts a document value as the schema types it: `bytes` decodes base64, `timestamp` parses
    /// RFC 3339 (or a `YYYY-MM-DD` date), `duration` a Go duration, `double` widens integers, and an
    /// `object` exposes its properties under their escaped names (`x-y` → `x__dash__y`), dropping
    /// those that cannot be escaped. `dyn` (also int-or-string) converts by the value's own shape.
    public init(_ value: Value, type: CELStaticType = .dyn) throws {
        switch (value, type) {
        case (.null, _): self = .null
        case (.bool(let b), _): self = .bool(b)
        case (.int(let i), .double): self = .double(Double(i))
        case (.int(let i), _): self = .int(i)
        case (.double(let d), _): self = .double(d)
        case (.string(let s), .bytes):
            guard let data = Base64.decode(s) else { throw CELEvalError.general("invalid base64 data") }
            self = .bytes(data)
        case (.string(let s), .timestamp):
            if s.utf8.count == 10 {
                self = .timestamp(try TimeFormat.parseTimestamp(s + "T00:00:00Z"))
            } else {
                self = .timestamp(try TimeFormat.parseSchemaDateTime(s))
            }
        case (.string(let s), .duration): self = .duration(try TimeFormat.parseSchemaDuration(s))
        case (.string(let s), _): self = .string(s)
        case (.array(let items), _):
            var elementType = CELStaticType.dyn
            if case .list(let e) = type.plain { elementType = e }
            self = .list(try items.map { try CELValue($0, type: elementType) })
        case (.object(let o), _):
            var m = CELMap(capacity: o.count)
            for (k, v) in o {
                switch type {
                case .object(_, let fields):
                    guard let name = CELPropertyNames.escape(k) else { continue }
                    try m.set(.string(name), try CELValue(v, type: fields[name] ?? .dyn))
                case .map(_, let valueType):
                    try m.set(.string(k), try CELValue(v, type: valueType))
                default:
                    try m.set(.string(k), try CELValue(v))
                }
            }
            self = .map(m)
        }
    }

    /// The document form of a result, where one exists (bytes become base64, timestamps and durations
    /// their string forms, uint an int when it fits). Types and library objects have none.
    public var documentValue: Value? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(Base64.encode(b))
        case .timestamp(let t): return .string(TimeFormat.format(t))
        case .duration(let d): return .string(TimeFormat.format(d))
        case .list(let l):
            var out: [Value] = []
            for e in l {
                guard let v = e.documentValue else { return nil }
                out.append(v)
            }
            return .array(out)
        case .map(let m):
            var o = ValueObject()
            for (k, v) in m.entries {
                guard case .string(let key) = k, let dv = v.documentValue else { return nil }
                o[key] = dv
            }
            return .object(o)
        case .optional(let inner): return inner.flatMap { $0.documentValue } ?? .null
        case .type, .object: return nil
        }
    }

    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }

    /// Same as `debugText`.
    public var description: String { debugText }

    /// A CEL-literal-like rendering for messages (`"a"`, `b"\x01"`, `[1, 2]`).
    public var debugText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return GoFormat.float(d)
        case .string(let s): return GoFormat.quote(s)
        case .bytes(let b): return "b" + GoFormat.quote(String(decoding: b, as: UTF8.self))
        case .list(let l): return "[" + l.map(\.debugText).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.entries.map { "\($0.key.debugText): \($0.value.debugText)" }
            .joined(separator: ", ") + "}"
        case .type(let t): return t.name
        case .timestamp(let t): return "timestamp(\"\(TimeFormat.format(t))\")"
        case .duration(let d): return "duration(\"\(TimeFormat.format(d))\")"
        case .optional(let inner): return inner.map { "optional.of(\($0.debugText))" } ?? "optional.none()"
        case .object(let o): return o.description
        }
    }
}

/// Standard base64 with padding, as Kubernetes encodes `format: byte`.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ data: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = min(3, data.count - i)
            var v = UInt32(data[i]) << 16
            if n > 1 { v |= UInt32(data[i + 1]) << 8 }
            if n > 2 { v |= UInt32(data[i + 2]) }
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int(v >> UInt32(18 - 6 * k)) & 63] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for c in s.utf8 {
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0, let idx = alphabet.firstIndex(of: c) else { return nil }
            values.append(UInt8(idx))
        }
        guard (values.count + padding) % 4 == 0 || padding == 0 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            guard chunk.count >= 2 else { return nil }
            var v: UInt32 = 0
            for (k, x) in chunk.enumerated() { v |= UInt32(x) << UInt32(18 - 6 * k) }
            out.append(UInt8(v >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }
}
