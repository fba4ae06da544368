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
            // YAML 1.1 allows `_` between digits; most numbers have none.
            let plain = text.utf8.contains(UInt8(ascii: "_")) ? String(text.filter { $0 != "_" }) : text
            if let i = goParseInt(plain) { return .int(i) }
            if let u = goParseUInt(plain) { return .double(Double(u)) }
            // Go's ParseFloat fails on overflow (`1e400`), leaving the text a string.
            if isYAMLFloat(plain), let d = Double(plain), d.isFinite { return number(d) }
        default:
            break
        }
        return .string(text)
    }

    /// What a double becomes after the JSON round trip: Go writes the shortest digits (`1`,
    /// `9223372036854776000`, `1e+21`) and the decoder keeps what parses as an int64 as an integer.
    static func number(_ d: Double) -> Value {
        guard d.isFinite, d == d.rounded(.towardZero) else { return .double(d) }
        if let i = Int64(GoFormat.jsonFloat(d)) { return .int(i) }
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

    /// go-yaml v2's timestamp shapes (`2006-1-2`, with `T`/`t` and a zone, or a space and no zone).
    /// Read into an `interface{}` they stay strings, but the writer must quote them.
    static func looksLikeTimestamp(_ s: String) -> Bool {
        let b = Array(s.utf8)
        var i = 0
        func number(maxDigits: Int, exactly: Bool = false) -> Int? {
            var value = 0, digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57, digits < maxDigits {
                value = value * 10 + Int(b[i] - 48)
                i += 1
                digits += 1
            }
            if digits == 0 || (exactly && digits != maxDigits) { return nil }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(maxDigits: 4, exactly: true), expect(UInt8(ascii: "-")),
              let month = number(maxDigits: 2), expect(UInt8(ascii: "-")), let day = number(maxDigits: 2),
              (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        guard day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] else { return false }
        if i == b.count { return true }
        let separator = b[i]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else { return false }
        i += 1
        guard let hour = number(maxDigits: 2), expect(UInt8(ascii: ":")), let minute = number(maxDigits: 2),
              expect(UInt8(ascii: ":")), let second = number(maxDigits: 2),
              hour <= 23, minute <= 59, second <= 59 else { return false }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            guard number(maxDigits: 9) != nil else { return false }
        }
        if separator == UInt8(ascii: " ") { return i == b.count }
        if expect(UInt8(ascii: "Z")) { return i == b.count }
        guard i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard number(maxDigits: 2, exactly: true) != nil, expect(UInt8(ascii: ":")),
              number(maxDigits: 2, exactly: true) != nil else { return false }
        return i == b.count
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
