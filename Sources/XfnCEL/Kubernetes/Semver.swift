/// Kubernetes' semver library: `semver`, `isSemver` (optionally normalising `v1.2` → `1.2.0`),
/// `major`, `minor`, `patch`, `compareTo`, `isGreaterThan`, `isLessThan`. Build metadata is
/// ignored when comparing, as semantic versioning requires.
enum SemverLibrary {
    struct Version: CELObject {
        var major: UInt64
        var minor: UInt64
        var patch: UInt64
        var pre: [String]
        var build: [String]

        var celType: CELType { CELType("kubernetes.Semver") }
        var description: String {
            var s = "\(major).\(minor).\(patch)"
            if !pre.isEmpty { s += "-" + pre.joined(separator: ".") }
            if !build.isEmpty { s += "+" + build.joined(separator: ".") }
            return s
        }
        func isEqual(to other: any CELObject) -> Bool {
            guard let o = other as? Version else { return false }
            return compare(o) == 0
        }

        func compare(_ o: Version) -> Int {
            for (x, y) in [(major, o.major), (minor, o.minor), (patch, o.patch)] where x != y { return x < y ? -1 : 1 }
            if pre.isEmpty || o.pre.isEmpty { return pre.isEmpty == o.pre.isEmpty ? 0 : pre.isEmpty ? 1 : -1 }
            for (x, y) in zip(pre, o.pre) where x != y {
                switch (UInt64(x), UInt64(y)) {
                case (let a?, let b?): return a < b ? -1 : 1
                case (.some, nil): return -1
                case (nil, .some): return 1
                default: return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
                }
            }
            return pre.count == o.pre.count ? 0 : pre.count < o.pre.count ? -1 : 1
        }
    }

    private static func isIdentifier(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    private static func numeric(_ s: Substring) -> UInt64? {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if s.count > 1 && s.first == "0" { return nil }
        return UInt64(s)
    }

    /// Kubernetes' normalisation: drop a leading `v`, strip leading zeros from the dot-separated parts,
    /// and pad `1` or `1.2` to three parts (a short version may not carry pre-release or build data).
    static func normalized(_ input: String) -> String? {
        var s = Substring(input)
        if s.hasPrefix("v") { s = s.dropFirst() }
        var parts = s.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        for (i, p) in parts.enumerated() where p.count > 1 {
            var t = Substring(p).drop { $0 == "0" }
            if t.isEmpty || !(t.first!.isASCII && t.first!.isNumber) { t = "0" + t }
            parts[i] = String(t)
        }
        if parts.count < 3 {
            if parts.last!.contains(where: { $0 == "+" || $0 == "-" }) { return nil }
            while parts.count < 3 { parts.append("0") }
        }
        return parts.joined(separator: ".")
    }

    static func parse(_ input: String, normalize: Bool) -> Version? {
        if normalize {
            guard let n = normalized(input) else { return nil }
            return parse(n, normalize: false)
        }
        var s = Substring(input)
        var build: [String] = []
        var pre: [String] = []
        if let plus = s.firstIndex(of: "+") {
            let parts = s[s.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false)
            guard parts.allSatisfy(isIdentifier) else { return nil }
            build = parts.map(String.init)
            s = s[..<plus]
        }
        if let dash = s.firstIndex(of: "-") {
            let parts = s[s.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false)
            for p in parts {
                guard isIdentifier(p) else { return nil }
                if p.allSatisfy(\.isNumber), numeric(p) == nil { return nil }
            }
            pre = parts.map(String.init)
            s = s[..<dash]
        }
        let core = s.split(separator: ".", omittingEmptySubsequences: false)
        guard core.count == 3, let a = numeric(core[0]), let b = numeric(core[1]), let c = numeric(core[2]) else {
            return nil
        }
        return Version(major: a, minor: b, patch: c, pre: pre, build: build)
    }

    private static func version(_ v: CELValue, _ fn: String) throws -> Version {
        guard case .object(let o) = v, let s = o as? Version else { throw CELEvalError.noOverload(fn) }
        return s
    }

    private static func args(_ a: [CELValue], _ fn: String) throws -> (String, Bool) {
        guard case .string(let s) = a[0] else { throw CELEvalError.noOverload(fn) }
        if a.count == 2 {
            guard case .bool(let n) = a[1] else { throw CELEvalError.noOverload(fn) }
            return (s, n)
        }
        return (s, false)
    }

    static var functions: [CELFunction] {
        [
            CELFunction("semver", arity: 1...2, cost: .linear) { a in
                let (s, normalize) = try args(a, "semver")
                guard let v = parse(s, normalize: normalize) else {
                    throw CELEvalError.general("could not parse semver '\(s)'")
                }
                return .object(v)
            },
            CELFunction("isSemver", arity: 1...2, cost: .linear) { a in
                let (s, normalize) = try args(a, "isSemver")
                return .bool(parse(s, normalize: normalize) != nil)
            },
            CELFunction("major", .receiver, arity: 1...1) { a in .int(Int64(clamping: try version(a[0], "major").major)) },
            CELFunction("minor", .receiver, arity: 1...1) { a in .int(Int64(clamping: try version(a[0], "minor").minor)) },
            CELFunction("patch", .receiver, arity: 1...1) { a in .int(Int64(clamping: try version(a[0], "patch").patch)) },
            CELFunction("compareTo", .receiver, arity: 2...2) { a in
                .int(Int64(try version(a[0], "compareTo").compare(try version(a[1], "compareTo"))))
            },
            CELFunction("isGreaterThan", .receiver, arity: 2...2) { a in
                .bool(try version(a[0], "isGreaterThan").compare(try version(a[1], "isGreaterThan")) > 0)
            },
            CELFunction("isLessThan", .receiver, arity: 2...2) { a in
                .bool(try version(a[0], "isLessThan").compare(try version(a[1], "isLessThan")) < 0)
            },
        ]
    }
}
