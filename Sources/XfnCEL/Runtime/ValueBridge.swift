import XfnCore

/// What the schema knows about a value beyond its JSON shape, so CEL sees the intended type: a
/// `format: byte` string is bytes, `date-time` a timestamp, int-or-string stays whichever it is.
public indirect enum CELTypeHint: Sendable {
    /// Convert by the value's own shape (objects become maps).
    case dynamic
    case intOrString
    case bytes
    case timestamp
    case duration
    /// `type: number`: JSON integers become doubles.
    case double
    case list(CELTypeHint)
    /// Object with declared properties (hints by property name). Property names are escaped as
    /// Kubernetes does (`x-y` → `x__dash__y`); names that cannot be escaped are left out.
    case object([String: CELTypeHint])
    /// `additionalProperties`: every value has the same hint.
    case map(CELTypeHint)
}

extension CELValue {
    /// Converts a document value, following `hint` where the shapes agree.
    public init(_ value: Value, hint: CELTypeHint = .dynamic) throws {
        switch (value, hint) {
        case (.null, _): self = .null
        case (.bool(let b), _): self = .bool(b)
        case (.int(let i), .double): self = .double(Double(i))
        case (.int(let i), _): self = .int(i)
        case (.double(let d), _): self = .double(d)
        case (.string(let s), .bytes):
            guard let data = Base64.decode(s) else { throw CELEvalError.general("invalid base64 data") }
            self = .bytes(data)
        case (.string(let s), .timestamp):
            if s.count == 10, let t = try? TimeFormat.parseTimestamp(s + "T00:00:00Z") {
                self = .timestamp(t)
            } else {
                self = .timestamp(try TimeFormat.parseTimestamp(s))
            }
        case (.string(let s), .duration): self = .duration(try TimeFormat.parseDuration(s))
        case (.string(let s), _): self = .string(s)
        case (.array(let items), _):
            var elementHint = CELTypeHint.dynamic
            if case .list(let h) = hint { elementHint = h }
            self = .list(try items.map { try CELValue($0, hint: elementHint) })
        case (.object(let o), _):
            var m = CELMap()
            for (k, v) in o {
                switch hint {
                case .object(let props):
                    guard let name = CELPropertyNames.escape(k) else { continue }
                    try m.set(.string(name), try CELValue(v, hint: props[k] ?? .dynamic))
                case .map(let valueHint):
                    try m.set(.string(k), try CELValue(v, hint: valueHint))
                default:
                    try m.set(.string(k), try CELValue(v, hint: .dynamic))
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

    /// A CEL-literal-like rendering for messages (`"a"`, `b"\x01"`, `[1, 2]`).
    public var debugText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return GoFormat.shortestG(d)
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
