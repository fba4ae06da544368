/// How Kubernetes exposes schema property names to CEL (apiserver `cel/escaping.go`): keywords become
/// `__name__`; `__`, `.`, `-` and `/` are spelled out; other names are not accessible as fields.
public enum CELPropertyNames {
    static let keywords: Set<String> = Lexer.reserved.union(["true", "false", "null", "in"])

    /// The field name CEL code uses for `property`, or nil when the property cannot be selected.
    public static func escape(_ property: String) -> String? {
        if keywords.contains(property) { return "__\(property)__" }
        let bytes = Array(property.utf8)
        guard let first = bytes.first else { return nil }
        func allowed(_ c: UInt8, leading: Bool) -> Bool {
            let letter = (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z")
            let digit = c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
            return letter || (!leading && digit) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "/")
        }
        guard allowed(first, leading: true), bytes.dropFirst().allSatisfy({ allowed($0, leading: false) }) else {
            return nil
        }
        var out = ""
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "_"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "_") {
                out += "__underscores__"
                i += 2
                continue
            }
            switch c {
            case UInt8(ascii: "."): out += "__dot__"
            case UInt8(ascii: "-"): out += "__dash__"
            case UInt8(ascii: "/"): out += "__slash__"
            default: out.unicodeScalars.append(Unicode.Scalar(c))
            }
            i += 1
        }
        return out
    }
}
