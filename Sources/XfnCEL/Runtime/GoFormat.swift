/// Number and string renderings that match Go's, since CEL results and Kubernetes messages are
/// compared against what the Go implementation prints.
public enum GoFormat {
    /// Go's `strconv.FormatFloat(d, 'g', -1, 64)` (also `%v`): shortest digits; exponent form below
    /// 1e-4, and from 1e+06 up unless every digit is significant (`1e+06`, but `1.234567e+06`).
    public static func shortestG(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (neg, digits, dp) = shortestDigits(d)
        let exp = dp - 1
        var out = neg ? "-" : ""
        // With shortest digits Go decides by a precision of 6.
        if exp < -4 || exp >= 6 {
            out.append(digits.first!)
            if digits.count > 1 {
                out.append(".")
                out.append(contentsOf: digits.dropFirst())
            }
            out.append("e")
            out.append(exp < 0 ? "-" : "+")
            let e = abs(exp)
            out.append(e < 10 ? "0\(e)" : "\(e)")
            return out
        }
        return out + fixed(digits, dp)
    }

    /// Go's `FormatFloat(d, 'f', -1, 64)`: shortest digits, never an exponent.
    public static func shortestF(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (neg, digits, dp) = shortestDigits(d)
        return (neg ? "-" : "") + fixed(digits, dp)
    }

    private static func fixed(_ digits: String, _ dp: Int) -> String {
        if dp <= 0 { return "0." + String(repeating: "0", count: -dp) + digits }
        if dp >= digits.count { return digits + String(repeating: "0", count: dp - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: dp)
        return String(digits[..<i]) + "." + String(digits[i...])
    }

    /// Shortest round-tripping decimal digits and the decimal point position (value = 0.digits × 10^dp),
    /// taken from Swift's own shortest rendering.
    static func shortestDigits(_ d: Double) -> (negative: Bool, digits: String, dp: Int) {
        var text = "\(abs(d))"
        var exp = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exp = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var intPart = text
        var frac = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            frac = String(text[text.index(after: dot)...])
        }
        var digits = intPart + frac
        var dp = intPart.count + exp
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            dp -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (d < 0, digits, dp)
    }

    /// Go's `strconv.Quote`: double quotes, `\"` and `\\`, named escapes for control characters and
    /// `\u`/`\U`/`\x` for the rest that are not printable.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex(scalar.value, 2)
                } else if scalar.value >= 0x80 && !isPrintable(scalar) {
                    out += scalar.value > 0xFFFF ? "\\U" + hex(scalar.value, 8) : "\\u" + hex(scalar.value, 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    private static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: false
        case .spaceSeparator: s == " "
        default: true
        }
    }
}
