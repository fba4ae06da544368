import XfnCore

/// Plain-scalar typing as Kubernetes does it: sigs.k8s.io/yaml reads YAML with go-yaml v2's YAML 1.1
/// rules, writes JSON and decodes that JSON again. So `yes`/`on`/`NO` are booleans, `0x1F` and
/// `0755` are integers, and a whole float such as `1.0` or `1e3` ends up an integer.
enum ScalarResolver {
    private static let booleans: [String: Bool] = {
        var table: [String: Bool] = [:]
        for word in ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"] { table[word] = true }
        for word in ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"] { table[word] = false }
        return table
    }()
    private static let nulls: Set<String> = ["", "~", "null", "Null", "NULL"]
    private static let specialFloats: [String: Double] = [
        ".nan": .nan, ".NaN": .nan, ".NAN": .nan,
        ".inf": .infinity, ".Inf": .infinity, ".INF": .infinity,
        "+.inf": .infinity, "+.Inf": .infinity, "+.INF": .infinity,
        "-.inf": -.infinity, "-.Inf": -.infinity, "-.INF": -.infinity,
    ]

    /// The value of a plain scalar.
    static func resolvePlain(_ text: String) -> Value {
        if let b = booleans[text] { return .bool(b) }
        if nulls.contains(text) { return .null }
        if let f = specialFloats[text] { return .double(f) }
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "."):
            if isYAMLFloat(text), let d = Double(text), d.isFinite { return number(d) }
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if looksLikeTimestamp(text) { return .string(text) }
            let plain = text.replacingOccurrences(of: "_", with: "")
            if let i = goParseInt(plain) { return .int(i) }
            if let u = goParseUInt(plain) { return .double(Double(u)) }
            // Go's ParseFloat fails on overflow (`1e400`), leaving the text a string.
            if isYAMLFloat(plain), let d = Double(plain), d.isFinite { return number(d) }
        default:
            break
        }
        return .string(text)
    }

    /// What a double becomes after the JSON round trip: whole values in int64 range are integers.
    static func number(_ d: Double) -> Value {
        if d.isFinite, d == d.rounded(.towardZero), abs(d) < 1e21, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 {
            return .int(Int64(d))
        }
        return .double(d)
    }

    /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, the float shape go-yaml accepts.
    static func isYAMLFloat(_ s: String) -> Bool {
        var bytes = Array(s.utf8)[...]
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits() -> Int {
            var n = 0
            while let b = bytes.first, b >= 48, b <= 57 { bytes = bytes.dropFirst(); n += 1 }
            return n
        }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            if digits() == 0 { return false }
        } else {
            if digits() == 0 { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                _ = digits()
            }
        }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            if digits() == 0 { return false }
        }
        return bytes.isEmpty
    }

    /// Go `strconv.ParseInt(s, 0, 64)`: optional sign, then `0x`, `0o`, `0b`, a leading-0 octal, or decimal.
    static func goParseInt(_ s: String) -> Int64? {
        var bytes = Array(s.utf8)[...]
        var negative = false
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") {
            negative = f == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard let magnitude = parseMagnitude(bytes) else { return nil }
        if negative {
            if magnitude == UInt64(Int64.max) + 1 { return Int64.min }
            guard magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Go `strconv.ParseUint(s, 0, 64)`: no sign allowed.
    static func goParseUInt(_ s: String) -> UInt64? {
        let bytes = Array(s.utf8)[...]
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { return nil }
        return parseMagnitude(bytes)
    }

    private static func parseMagnitude(_ input: ArraySlice<UInt8>) -> UInt64? {
        var bytes = input
        guard !bytes.isEmpty else { return nil }
        var radix: UInt64 = 10
        if bytes.first == UInt8(ascii: "0"), bytes.count > 1 {
            let second = bytes[bytes.startIndex + 1]
            switch second {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "o"), UInt8(ascii: "O"): radix = 8; bytes = bytes.dropFirst(2)
            case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2; bytes = bytes.dropFirst(2)
            default: radix = 8; bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty else { return nil }
        }
        var value: UInt64 = 0
        for b in bytes {
            let digit: UInt64
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt64(b - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt64(b - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt64(b - 55)
            default: return nil
            }
            guard digit < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: radix)
            let (a, o2) = m.addingReportingOverflow(digit)
            if o1 || o2 { return nil }
            value = a
        }
        return value
    }

    /// go-yaml v2 recognises YAML timestamps but hands them to an `interface{}` as the original
    /// string, so they stay strings; recognising them keeps `2001-12-14` from being read as a number.
    static func looksLikeTimestamp(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard bytes.count >= 8 else { return false }
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 }
        guard isDigit(0), isDigit(1), isDigit(2), isDigit(3), bytes[4] == UInt8(ascii: "-") else { return false }
        return true
    }

    /// Text for a scalar used as a mapping key, as sigs.k8s.io/yaml turns non-string keys into JSON keys.
    static func keyText(_ value: Value, raw: String) -> String {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .double(let d): GoFormat.float(d)
        case .null: "null"
        default: raw
        }
    }
}
