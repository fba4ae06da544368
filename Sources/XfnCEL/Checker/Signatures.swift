/// Function signatures for the checker, written as `name(args)->result` for global functions and
/// `receiver#name(args)->result` for methods. Capital letters are type parameters.
struct Signature: Sendable {
    var receiver: Bool
    var params: [CELStaticType]
    var result: CELStaticType

    init(_ text: String) {
        // The arrow's `>` is the last one: operator names such as `_>=_` come before it.
        let arrow = text.lastIndex(of: ">")!
        let head = text[..<text.index(before: arrow)]
        result = CELStaticType(notation: text[text.index(after: arrow)...])
        let open = head.firstIndex(of: "(")!
        var argsText = head[head.index(after: open)..<head.index(before: head.endIndex)]
        var params: [CELStaticType] = []
        if let hash = head.firstIndex(of: "#") {
            receiver = true
            params.append(CELStaticType(notation: head[..<hash]))
        } else {
            receiver = false
        }
        argsText = argsText.drop { $0 == " " }
        var depth = 0
        var start = argsText.startIndex
        for i in argsText.indices {
            if argsText[i] == "(" { depth += 1 } else if argsText[i] == ")" { depth -= 1 } else if argsText[i] == ",", depth == 0 {
                params.append(CELStaticType(notation: argsText[start..<i]))
                start = argsText.index(after: i)
            }
        }
        if !argsText[start...].allSatisfy({ $0 == " " }) {
            params.append(CELStaticType(notation: argsText[start...]))
        }
        self.params = params
    }

    static func name(of text: String) -> String {
        let head = text[..<text.firstIndex(of: "(")!]
        if let hash = head.firstIndex(of: "#") { return String(head[head.index(after: hash)...]) }
        return String(head)
    }
}

extension Substring {
    /// Without leading and trailing spaces, as signature notation is written.
    var trimmingSpaces: Substring {
        let start = firstIndex { $0 != " " } ?? endIndex
        let end = lastIndex { $0 != " " }.map(index(after:)) ?? start
        return self[start..<end]
    }
}

enum Signatures {
    static let table: [String: [Signature]] = {
        var m: [String: [Signature]] = [:]
        for line in all {
            m[Signature.name(of: line), default: []].append(Signature(line))
        }
        return m
    }()

    private static let numeric = ["int", "uint", "double"]

    private static var comparisons: [String] {
        var out: [String] = []
        for op in ["_<_", "_<=_", "_>_", "_>=_"] {
            for t in ["bool", "string", "bytes", "timestamp", "duration"] { out.append("\(op)(\(t), \(t))->bool") }
            // Kubernetes enables cross-type numeric comparisons.
            for a in numeric { for b in numeric { out.append("\(op)(\(a), \(b))->bool") } }
        }
        return out
    }

    private static let timeAccessors = [
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek", "getHours", "getMinutes",
        "getSeconds", "getMilliseconds",
    ]

    static let all: [String] = comparisons + [
        "_==_(A, A)->bool", "_!=_(A, A)->bool", "!_(bool)->bool", "-_(int)->int", "-_(double)->double",
        "_+_(int, int)->int", "_+_(uint, uint)->uint", "_+_(double, double)->double", "_+_(string, string)->string",
        "_+_(bytes, bytes)->bytes", "_+_(list(A), list(A))->list(A)", "_+_(timestamp, duration)->timestamp",
        "_+_(duration, timestamp)->timestamp", "_+_(duration, duration)->duration",
        "_-_(int, int)->int", "_-_(uint, uint)->uint", "_-_(double, double)->double",
        "_-_(timestamp, timestamp)->duration", "_-_(timestamp, duration)->timestamp", "_-_(duration, duration)->duration",
        "_*_(int, int)->int", "_*_(uint, uint)->uint", "_*_(double, double)->double",
        "_/_(int, int)->int", "_/_(uint, uint)->uint", "_/_(double, double)->double",
        "_%_(int, int)->int", "_%_(uint, uint)->uint",
        "@in(A, list(A))->bool", "@in(A, map(A, B))->bool",
        "size(string)->int", "size(bytes)->int", "size(list(A))->int", "size(map(A, B))->int",
        "string#size()->int", "bytes#size()->int", "list(A)#size()->int", "map(A, B)#size()->int",
        "string#contains(string)->bool", "string#startsWith(string)->bool", "string#endsWith(string)->bool",
        "string#matches(string)->bool", "matches(string, string)->bool",
        "int(int)->int", "int(uint)->int", "int(double)->int", "int(string)->int", "int(timestamp)->int",
        "uint(uint)->uint", "uint(int)->uint", "uint(double)->uint", "uint(string)->uint",
        "double(double)->double", "double(int)->double", "double(uint)->double", "double(string)->double",
        "string(string)->string", "string(int)->string", "string(uint)->string", "string(double)->string",
        "string(bool)->string", "string(bytes)->string", "string(timestamp)->string", "string(duration)->string",
        "string(net.IP)->string", "string(net.CIDR)->string",
        "bytes(bytes)->bytes", "bytes(string)->bytes", "bool(bool)->bool", "bool(string)->bool",
        "timestamp(timestamp)->timestamp", "timestamp(string)->timestamp", "timestamp(int)->timestamp",
        "duration(duration)->duration", "duration(string)->duration", "dyn(A)->dyn", "type(A)->type(A)",
        "duration#getHours()->int", "duration#getMinutes()->int", "duration#getSeconds()->int",
        "duration#getMilliseconds()->int",
        "optional.of(A)->optional(A)", "optional.none()->optional(A)", "optional.ofNonZeroValue(A)->optional(A)",
        "optional(A)#hasValue()->bool", "optional(A)#value()->A",
        // Strings extension v2.
        "string#charAt(int)->string", "string#indexOf(string)->int", "string#indexOf(string, int)->int",
        "string#lastIndexOf(string)->int", "string#lastIndexOf(string, int)->int", "string#lowerAscii()->string",
        "string#upperAscii()->string", "string#replace(string, string)->string",
        "string#replace(string, string, int)->string", "string#split(string)->list(string)",
        "string#split(string, int)->list(string)", "string#substring(int)->string",
        "string#substring(int, int)->string", "string#trim()->string", "list(string)#join()->string",
        "list(string)#join(string)->string", "strings.quote(string)->string", "string#format(list(dyn))->string",
        // Lists: Kubernetes v0 and cel-go v3.
        "list(A)#isSorted()->bool", "list(A)#sum()->A", "list(A)#min()->A", "list(A)#max()->A",
        "list(A)#indexOf(A)->int", "list(A)#lastIndexOf(A)->int", "list(A)#slice(int, int)->list(A)",
        "list(dyn)#flatten()->list(dyn)", "list(dyn)#flatten(int)->list(dyn)", "list(A)#distinct()->list(A)",
        "lists.range(int)->list(int)", "list(A)#reverse()->list(A)", "list(A)#sort()->list(A)",
        "list(A)#@sortByAssociatedKeys(list(B))->list(A)",
        "sets.contains(list(A), list(A))->bool", "sets.equivalent(list(A), list(A))->bool",
        "sets.intersects(list(A), list(A))->bool",
        "string#find(string)->string", "string#findAll(string)->list(string)",
        "string#findAll(string, int)->list(string)",
        // Kubernetes URL, IP, CIDR, quantity, semver and format libraries.
        "url(string)->kubernetes.URL", "isURL(string)->bool", "kubernetes.URL#getScheme()->string",
        "kubernetes.URL#getHost()->string", "kubernetes.URL#getHostname()->string", "kubernetes.URL#getPort()->string",
        "kubernetes.URL#getEscapedPath()->string", "kubernetes.URL#getQuery()->map(string, list(string))",
        "ip(string)->net.IP", "isIP(string)->bool", "ip.isCanonical(string)->bool", "net.IP#family()->int",
        "net.IP#isUnspecified()->bool", "net.IP#isLoopback()->bool", "net.IP#isLinkLocalMulticast()->bool",
        "net.IP#isLinkLocalUnicast()->bool", "net.IP#isGlobalUnicast()->bool",
        "cidr(string)->net.CIDR", "isCIDR(string)->bool", "net.CIDR#containsIP(net.IP)->bool",
        "net.CIDR#containsIP(string)->bool", "net.CIDR#containsCIDR(net.CIDR)->bool",
        "net.CIDR#containsCIDR(string)->bool", "net.CIDR#ip()->net.IP", "net.CIDR#masked()->net.CIDR",
        "net.CIDR#prefixLength()->int",
        "quantity(string)->kubernetes.Quantity", "isQuantity(string)->bool", "kubernetes.Quantity#sign()->int",
        "kubernetes.Quantity#isGreaterThan(kubernetes.Quantity)->bool",
        "kubernetes.Quantity#isLessThan(kubernetes.Quantity)->bool",
        "kubernetes.Quantity#compareTo(kubernetes.Quantity)->int",
        "kubernetes.Quantity#add(kubernetes.Quantity)->kubernetes.Quantity", "kubernetes.Quantity#add(int)->kubernetes.Quantity",
        "kubernetes.Quantity#sub(kubernetes.Quantity)->kubernetes.Quantity", "kubernetes.Quantity#sub(int)->kubernetes.Quantity",
        "kubernetes.Quantity#isInteger()->bool", "kubernetes.Quantity#asInteger()->int",
        "kubernetes.Quantity#asApproximateFloat()->double",
        "semver(string)->kubernetes.Semver", "semver(string, bool)->kubernetes.Semver", "isSemver(string)->bool",
        "isSemver(string, bool)->bool", "kubernetes.Semver#major()->int", "kubernetes.Semver#minor()->int",
        "kubernetes.Semver#patch()->int", "kubernetes.Semver#compareTo(kubernetes.Semver)->int",
        "kubernetes.Semver#isGreaterThan(kubernetes.Semver)->bool", "kubernetes.Semver#isLessThan(kubernetes.Semver)->bool",
        "format.named(string)->optional(kubernetes.NamedFormat)",
        "kubernetes.NamedFormat#validate(string)->optional(list(string))",
    ] + timeAccessors.flatMap { ["timestamp#\($0)()->int", "timestamp#\($0)(string)->int"] }
        + FormatLibrary.names.map { "format.\($0)()->kubernetes.NamedFormat" }
}
