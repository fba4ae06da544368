import Foundation

/// The string formats Kubernetes checks (apiextensions' supported set at compatibility version 1.34).
/// Any other format, and every numeric format, is dropped when a schema is compiled.
public enum StringFormat: String, Sendable, CaseIterable {
    case bsonobjectid, uri, email, hostname, ipv4, ipv6, cidr, mac, uuid, uuid3, uuid4, uuid5
    case isbn, isbn10, isbn13, creditcard, ssn, hexcolor, rgbcolor, byte, password, date, duration, datetime
    case k8sshortname, k8slongname

    /// go-openapi looks formats up with dashes removed, so `date-time` is `datetime`.
    public init?(name: String) {
        self.init(rawValue: name.replacingOccurrences(of: "-", with: ""))
    }

    public func accepts(_ s: String) -> Bool {
        switch self {
        case .password: return true
        case .bsonobjectid: return s.utf8.count == 24 && s.utf8.allSatisfy(Self.isHex)
        case .uri: return Self.isRequestURI(s)
        case .email: return Self.isEmail(s)
        case .hostname: return Self.isHostname(s)
        case .ipv4: return Self.isIPv4(s)
        case .ipv6: return s.contains(":") && Self.isIPv6(s)
        case .cidr: return Self.isCIDR(s)
        case .mac: return Self.isMAC(s)
        case .uuid: return Self.isUUID(s, version: nil)
        case .uuid3: return Self.isUUID(s, version: "3")
        case .uuid4: return Self.isUUID(s, version: "4")
        case .uuid5: return Self.isUUID(s, version: "5")
        case .isbn: return Self.isISBN10(s) || Self.isISBN13(s)
        case .isbn10: return Self.isISBN10(s)
        case .isbn13: return Self.isISBN13(s)
        case .creditcard: return Self.isCreditCard(s)
        case .ssn: return Self.matches(s, #"^\d{3}[- ]?\d{2}[- ]?\d{4}$"#)
        case .hexcolor: return Self.matches(s, #"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"#)
        case .rgbcolor:
            return Self.matches(s, #"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"#)
        case .byte:
            return Self.matches(s, #"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"#)
        case .date: return Self.isDate(s)
        case .datetime: return Self.isDateTime(s)
        case .duration: return Self.isDuration(s)
        case .k8sshortname: return Self.isDNSLabel(s)
        case .k8slongname: return Self.isDNSSubdomain(s)
        }
    }

    private static func isHex(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102)
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    nonisolated(unsafe) private static var cache: [String: NSRegularExpression] = [:]
    private static let cacheLock = NSLock()

    private static func matches(_ s: String, _ pattern: String) -> Bool {
        cacheLock.lock()
        let expression: NSRegularExpression
        if let cached = cache[pattern] {
            expression = cached
        } else {
            expression = try! NSRegularExpression(pattern: pattern, options: [])
            cache[pattern] = expression
        }
        cacheLock.unlock()
        let range = NSRange(s.startIndex..<s.endIndex, in: s)
        return expression.firstMatch(in: s, options: [], range: range) != nil
    }

    static func isUUID(_ s: String, version: Character?) -> Bool {
        let hex = "[0-9a-fA-F]"
        let pattern: String
        if let version {
            let variant = version == "3" ? "\(hex)" : "[89abAB]"
            pattern = "^\(hex){8}-?\(hex){4}-?\(version)\(hex){3}-?\(variant)\(hex){3}-?\(hex){12}$"
        } else {
            pattern = "^\(hex){8}-?\(hex){4}-?\(hex){4}-?\(hex){4}-?\(hex){12}$"
        }
        return matches(s, pattern)
    }

    /// IPv4 the "sloppy" way go-openapi checks it: four decimal parts of at most 255, leading zeros allowed.
    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        for part in parts {
            guard !part.isEmpty, part.utf8.count <= 3, part.utf8.allSatisfy(isDigit), let n = Int(part), n <= 255 else { return false }
        }
        return true
    }

    static func isIPv6(_ s: String) -> Bool {
        var text = Substring(s)
        // An embedded IPv4 tail counts for two groups.
        var groupsNeeded = 8
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon]
            if text.hasSuffix(":"), !text.hasSuffix("::") { text = text.dropLast() }
            groupsNeeded = 6
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> Int? {
            if part.isEmpty { return 0 }
            var n = 0
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.utf8.count <= 4, group.utf8.allSatisfy(isHex) else { return nil }
                n += 1
            }
            return n
        }
        guard let a = groups(halves[0]) else { return false }
        if halves.count == 2 {
            guard let b = groups(halves[1]) else { return false }
            return a + b < groupsNeeded || (groupsNeeded == 6 && a + b <= 6)
        }
        return a == groupsNeeded
    }

    static func isCIDR(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].utf8.allSatisfy(isDigit), let bits = Int(parts[1]) else { return false }
        let address = String(parts[0])
        if isIPv4(address) { return bits <= 32 }
        if address.contains(":"), isIPv6(address) { return bits <= 128 }
        return false
    }

    static func isMAC(_ s: String) -> Bool {
        let lengths = [6, 8, 20]
        for separator in [":", "-"] {
            let parts = s.components(separatedBy: separator)
            if parts.count > 1 {
                return lengths.contains(parts.count) && parts.allSatisfy { $0.utf8.count == 2 && $0.utf8.allSatisfy(isHex) }
            }
        }
        let dotted = s.components(separatedBy: ".")
        return lengths.contains(dotted.count * 2) && dotted.allSatisfy { $0.utf8.count == 4 && $0.utf8.allSatisfy(isHex) }
    }

    static func isHostname(_ s: String) -> Bool {
        let letter = #"[a-zA-Z0-9\p{S}\p{L}]"#
        let pattern = "^(\(letter)((-?\(letter){0,62})?)|(\(letter)(([a-zA-Z0-9\\-\\p{S}\\p{L}]{0,61}\(letter))?)(\\.)){1,}(\(letter))(-?\(letter)){1,62})$"
        guard matches(s, pattern), s.utf8.count <= 255 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 63 }
    }

    /// Go `net/mail.ParseAddress`, for the common shapes: `local@domain` or `Name <local@domain>`.
    static func isEmail(_ s: String) -> Bool {
        var address = s.trimmingCharacters(in: .whitespaces)
        if address.hasSuffix(">"), let open = address.lastIndex(of: "<") {
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        let atom = #"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"#
        return matches(address, "^\(atom)(\\.\(atom))*@\(atom)(\\.\(atom))*$")
    }

    /// govalidator's `IsRequestURI`: Go `url.ParseRequestURI` succeeds, so an absolute URI or an absolute path.
    static func isRequestURI(_ s: String) -> Bool {
        guard !s.isEmpty, !s.unicodeScalars.contains(where: { $0.value < 0x21 || $0 == "\u{7F}" }) else { return false }
        if s.hasPrefix("/") { return true }
        return matches(s, "^[A-Za-z][A-Za-z0-9+.-]*:")
    }

    static func isISBN10(_ s: String) -> Bool {
        let digits = Array(s.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: " ", with: "").utf8)
        guard digits.count == 10, digits[0..<9].allSatisfy(isDigit), isDigit(digits[9]) || digits[9] == UInt8(ascii: "X") else { return false }
        var sum = 0
        for i in 0..<9 { sum += (i + 1) * Int(digits[i] - 48) }
        sum += digits[9] == UInt8(ascii: "X") ? 100 : 10 * Int(digits[9] - 48)
        return sum % 11 == 0
    }

    static func isISBN13(_ s: String) -> Bool {
        let digits = Array(s.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: " ", with: "").utf8)
        guard digits.count == 13, digits.allSatisfy(isDigit) else { return false }
        var sum = 0
        for i in 0..<12 { sum += Int(digits[i] - 48) * (i % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10 == Int(digits[12] - 48)
    }

    static func isCreditCard(_ s: String) -> Bool {
        let digits = s.unicodeScalars.filter { $0.value >= 48 && $0.value <= 57 }.map { Int($0.value - 48) }
        let text = digits.map(String.init).joined()
        guard matches(text, #"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}|6[27][0-9]{14})$"#) else { return false }
        var sum = 0
        for (i, d) in digits.reversed().enumerated() {
            if i % 2 == 1 {
                let doubled = d * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += d
            }
        }
        return sum % 10 == 0
    }

    /// `YYYY-MM-DD` naming a real day, as Go `time.Parse("2006-01-02")`.
    static func isDate(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ isDigit(b[$0]) }) else { return false }
        func number(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(b[$1] - 48) } }
        let year = number(0..<4), month = number(5..<7), day = number(8..<10)
        guard (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// go-openapi's date-time: a valid date, `T` (either case), then `hh:mm:ss[.frac](Z|±hh:mm)`.
    static func isDateTime(_ s: String) -> Bool {
        guard s.utf8.count >= 11 else { return false }
        let datePart = String(s.prefix(10))
        guard isDate(datePart) else { return false }
        let rest = s.dropFirst(10)
        guard let t = rest.first, t == "T" || t == "t" else { return false }
        return matches(String(rest.dropFirst()), #"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"#)
    }

    /// go-openapi's duration: Go `time.ParseDuration`, or else whitespace-separated `<n><unit>` parts
    /// where at least one unit is known (`3 days`, `2w`, `1 hour 5 mins`).
    static func isDuration(_ s: String) -> Bool {
        if isGoDuration(s) { return true }
        guard matches(s, #"^[\t\n\f\r ]*(?:[0-9]+[\t\n\f\r ]*[A-Za-zµ]+[\t\n\f\r ]*)+$"#) else { return false }
        let units: [[String]] = [["ns", "nano"], ["us", "µs", "micro"], ["ms", "milli"], ["s", "sec"], ["m", "min"],
                                 ["h", "hr", "hour"], ["d", "day"], ["w", "wk", "week"]]
        let expression = try! NSRegularExpression(pattern: #"([0-9]+)[\t\n\f\r ]*([A-Za-zµ]+)"#)
        var known = false
        for match in expression.matches(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) {
            guard let digits = Range(match.range(at: 1), in: s), let unitRange = Range(match.range(at: 2), in: s) else { continue }
            // strconv.Atoi fails on overflow, and then the whole value is rejected.
            guard Int64(s[digits]) != nil else { return false }
            let unit = s[unitRange].lowercased()
            for variants in units {
                for (i, variant) in variants.enumerated() where unit == variant || (i == variants.count - 1 && unit.hasPrefix(variant)) {
                    known = true
                }
            }
        }
        return known
    }

    /// Go `time.ParseDuration`: an optional sign, then one or more `<number><unit>` with units
    /// ns, us, µs, ms, s, m, h; a lone `0` is allowed.
    static func isGoDuration(_ s: String) -> Bool {
        var rest = Substring(s)
        if let first = rest.first, first == "+" || first == "-" { rest = rest.dropFirst() }
        if rest == "0" { return true }
        guard !rest.isEmpty else { return false }
        let units = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
        while !rest.isEmpty {
            let whole = rest.prefix(while: { $0.isASCII && $0.isNumber })
            rest = rest.dropFirst(whole.count)
            var fraction = Substring("")
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix(while: { $0.isASCII && $0.isNumber })
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { return false }
            let unit = rest.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            guard units.contains(String(unit)) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }

    static func isDNSLabel(_ s: String) -> Bool {
        s.utf8.count <= 63 && matches(s, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    }

    static func isDNSSubdomain(_ s: String) -> Bool {
        s.utf8.count <= 253 && matches(s, #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#)
    }
}
