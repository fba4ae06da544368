/// Go's text renderings that Kubernetes messages and YAML output are made of: `%v` of a float64
/// (`1e+06`), `%q` of a string, `encoding/json` of a value. Messages must match byte for byte.
public enum GoFormat {
    /// The shortest decimal digits of `d` (no sign) and the position of the decimal point:
    /// the number is `0.d₁d₂… × 10^point`.
    static func shortestDigits(_ d: Double) -> (digits: [UInt8], point: Int) {
        let text = "\(abs(d))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var pointIndex: Int? = nil
        for c in mantissa {
            if c == "." { pointIndex = digits.count; continue }
            digits.append(UInt8(c.asciiValue! - 48))
        }
        var point = (pointIndex ?? digits.count) + exponent
        while let first = digits.first, first == 0, digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == 0, digits.count > 1 { digits.removeLast() }
        if digits == [0] { point = 1 }
        return (digits, point)
    }

    private static func exponentForm(_ digits: [UInt8], _ point: Int, negative: Bool, padExponent: Bool) -> String {
        var out = negative ? "-" : ""
        out += String(digits[0])
        if digits.count > 1 {
            out += "."
            for d in digits.dropFirst() { out += String(d) }
        }
        let exponent = digits == [0] ? 0 : point - 1
        out += exponent < 0 ? "e-" : "e+"
        let magnitude = String(abs(exponent))
        if padExponent, magnitude.count < 2 { out += "0" }
        out += magnitude
        return out
    }

    private static func fixedForm(_ digits: [UInt8], _ point: Int, negative: Bool) -> String {
        var out = negative ? "-" : ""
        let text = digits.map(String.init).joined()
        if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + text
        } else if point >= digits.count {
            out += text + String(repeating: "0", count: point - digits.count)
        } else {
            let split = text.index(text.startIndex, offsetBy: point)
            out += text[..<split] + "." + text[split...]
        }
        return out
    }

    /// Go `%v` (and `strconv.FormatFloat(d, 'g', -1, 64)`) of a float64.
    public static func float(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let negative = d.sign == .minus
        let (digits, point) = shortestDigits(d)
        let exponent = point - 1
        if digits != [0], exponent < -4 || exponent >= 6 {
            return exponentForm(digits, point, negative: negative, padExponent: true)
        }
        return fixedForm(digits, point, negative: negative)
    }

    /// Go's `strconv.FormatFloat(d, 'f', -1, 64)`: shortest digits, never an exponent.
    public static func shortestF(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        let (digits, point) = shortestDigits(d)
        return fixedForm(digits, point, negative: d.sign == .minus)
    }

    /// Go `encoding/json` of a float64: fixed notation between 1e-6 and 1e21, else `1e+21`, `1e-7`.
    public static func jsonFloat(_ d: Double) -> String {
        let negative = d.sign == .minus
        let (digits, point) = shortestDigits(d)
        let magnitude = abs(d)
        if magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 {
            return exponentForm(digits, point, negative: negative, padExponent: false)
        }
        return fixedForm(digits, point, negative: negative)
    }

    /// Go `%q` / `strconv.Quote`.
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
                if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x80 {
                    out += "\\x" + hex(scalar.value, width: 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, width: 4)
                } else {
                    out += "\\U" + hex(scalar.value, width: 8)
                }
            }
        }
        return out + "\""
    }

    public static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// Go `json.Marshal` of a decoded JSON value: map keys sorted, HTML-sensitive characters escaped.
    public static func json(_ value: Value) -> String {
        var out = ""
        writeJSON(value, into: &out)
        return out
    }

    private static func writeJSON(_ value: Value, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? jsonFloat(d) : "null"
        case .string(let s): ValueJSON.writeString(s, into: &out, escapeHTML: true)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                writeJSON(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (i, key) in object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if i > 0 { out += "," }
                ValueJSON.writeString(key, into: &out, escapeHTML: true)
                out += ":"
                writeJSON(object[key]!, into: &out)
            }
            out += "}"
        }
    }
}
