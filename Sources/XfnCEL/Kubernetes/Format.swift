import XfnCore

/// Kubernetes' format library: `format.named(name)`, `format.dns1123Label()` and friends, each with
/// `validate(string)` returning `optional.none()` when valid, else the list of problems in
/// apimachinery's wording.
enum FormatLibrary {
    struct NamedFormat: CELObject {
        let name: String
        var celType: CELType { CELType("kubernetes.NamedFormat") }
        var description: String { "format.\(name)()" }
        func isEqual(to other: any CELObject) -> Bool { (other as? NamedFormat)?.name == name }
    }

    static let names = [
        "dns1123Label", "dns1123Subdomain", "dns1035Label", "qualifiedName", "dns1123LabelPrefix",
        "dns1123SubdomainPrefix", "dns1035LabelPrefix", "labelValue", "uri", "uuid", "byte", "date", "datetime",
    ]

    private static let labelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    private static let subdomainFmt = labelFmt + "(\\." + labelFmt + ")*"
    private static let dns1035Fmt = "[a-z]([-a-z0-9]*[a-z0-9])?"
    private static let qualifiedFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    private static let labelValueFmt = "(" + qualifiedFmt + ")?"

    /// apimachinery's `RegexError`: the message, examples and the pattern.
    private static func regexError(_ msg: String, _ fmt: String, _ examples: [String]) -> String {
        if examples.isEmpty { return msg + " (regex used for validation is '\(fmt)')" }
        return msg + " (e.g. " + examples.map { "'\($0)', " }.joined(separator: "or ") + "regex used for validation is '\(fmt)')"
    }

    private static func full(_ fmt: String, _ s: String) -> Bool {
        // Patterns are constants of this file, so compiling them cannot fail.
        guard let re = try? RegexCache.shared.regex("^(?:" + fmt + ")$") else { return false }
        return re.firstMatch(in: s) != nil
    }

    // apimachinery words DNS length limits in characters and label keys and values in bytes; both
    // count bytes.
    private static func maxLen(_ n: Int) -> String { "must be no more than \(n) characters" }
    private static func maxBytes(_ n: Int) -> String { "must be no more than \(n) bytes" }

    static func dns1123Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 63 { errs.append(maxLen(63)) }
        if full(labelFmt, s) { return errs }
        if full(subdomainFmt, s) {
            errs.append("must not contain dots")
        } else {
            errs.append(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", labelFmt, ["my-name", "123-abc"]))
        }
        return errs
    }

    static func dns1123Subdomain(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 253 { errs.append(maxLen(253)) }
        if !full(subdomainFmt, s) {
            errs.append(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", subdomainFmt, ["example.com"]))
        }
        return errs
    }

    static func dns1035Label(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 63 { errs.append(maxLen(63)) }
        if !full(dns1035Fmt, s) {
            errs.append(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", dns1035Fmt, ["my-name", "abc-123"]))
        }
        return errs
    }

    static func qualifiedName(_ s: String) -> [String] {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        var name = s
        var errs: [String] = []
        switch parts.count {
        case 1: break
        case 2:
            let prefix = String(parts[0])
            name = String(parts[1])
            if prefix.isEmpty {
                errs.append("prefix part must be non-empty")
            } else {
                errs += dns1123Subdomain(prefix).map { "prefix part " + $0 }
            }
        default:
            return ["a valid label key " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedFmt, ["MyName", "my.name", "123-abc"]) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errs.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errs.append("name part " + maxBytes(63))
        }
        if !full(qualifiedFmt, name) {
            errs.append("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", qualifiedFmt, ["MyName", "my.name", "123-abc"]))
        }
        return errs
    }

    static func labelValue(_ s: String) -> [String] {
        var errs: [String] = []
        if s.utf8.count > 63 { errs.append(maxBytes(63)) }
        if !full(labelValueFmt, s) {
            errs.append(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, ["MyValue", "my_value", "12345"]))
        }
        return errs
    }

    /// Prefix forms allow a trailing dash, as generateName prefixes do. Like apimachinery, the last
    /// two bytes are replaced by one letter.
    private static func maskTrailingDash(_ s: String) -> String {
        let b = Array(s.utf8)
        guard b.count > 1, b.last == UInt8(ascii: "-") else { return s }
        return String(decoding: b.dropLast(2), as: UTF8.self) + "a"
    }

    static func validate(_ name: String, _ s: String) -> [String] {
        switch name {
        case "dns1123Label": return dns1123Label(s)
        case "dns1123Subdomain": return dns1123Subdomain(s)
        case "dns1035Label": return dns1035Label(s)
        case "qualifiedName": return qualifiedName(s)
        case "dns1123LabelPrefix": return dns1123Label(maskTrailingDash(s))
        case "dns1123SubdomainPrefix": return dns1123Subdomain(maskTrailingDash(s))
        case "dns1035LabelPrefix": return dns1035Label(maskTrailingDash(s))
        case "labelValue": return labelValue(s)
        case "uri": return URLLibrary.parse(s) == nil ? ["parse \(GoFormat.quote(s)): invalid URI for request"] : []
        case "uuid":
            return full("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", s) ? []
                : ["does not match the UUID format"]
        case "byte": return Base64.decode(s) == nil ? ["invalid base64"] : []
        case "date": return (try? TimeFormat.parseTimestamp(s + "T00:00:00Z")) == nil || s.count != 10 ? ["invalid date"] : []
        case "datetime": return (try? TimeFormat.parseTimestamp(s)) == nil ? ["invalid datetime"] : []
        default: return []
        }
    }

    /// Kubernetes charges `validate` like a regex match against a pattern of the format's typical size.
    private static let regexSizes: [String: Int] = [
        "dns1123Label": 30, "dns1123Subdomain": 60, "dns1035Label": 30, "qualifiedName": 60,
        "dns1123LabelPrefix": 30, "dns1123SubdomainPrefix": 60, "dns1035LabelPrefix": 30, "labelValue": 40,
    ]

    @Sendable private static func validateCost(_ args: [CELValue], _ result: CELValue) -> UInt64 {
        guard args.count == 2, case .object(let o) = args[0], let f = o as? NamedFormat else { return 1 }
        let regexSize = regexSizes[f.name] ?? 60
        let strCost = UInt64((1 + Evaluator.size(args[1]) + 9) / 10)
        return strCost * UInt64((regexSize + 3) / 4)
    }

    static var functions: [CELFunction] {
        var fs: [CELFunction] = [
            CELFunction("format.named", arity: 1...1) { a in
                guard case .string(let n) = a[0] else { throw CELEvalError.noOverload("format.named") }
                return .optional(names.contains(n) ? .object(NamedFormat(name: n)) : nil)
            },
            CELFunction("validate", .receiver, arity: 2...2, cost: .custom(validateCost)) { a in
                guard case .object(let o) = a[0], let f = o as? NamedFormat, case .string(let s) = a[1] else {
                    throw CELEvalError.noOverload("validate")
                }
                let errs = validate(f.name, s)
                return .optional(errs.isEmpty ? nil : .list(errs.map { .string($0) }))
            },
        ]
        for n in names {
            fs.append(CELFunction("format." + n, arity: 0...0) { _ in .object(NamedFormat(name: n)) })
        }
        return fs
    }
}
