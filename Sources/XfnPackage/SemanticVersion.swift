/// A semantic version as Crossplane's package manager reads tags: an optional `v`, then
/// `MAJOR[.MINOR[.PATCH]]`, an optional `-prerelease` and `+build`. Missing parts count as zero, as
/// Masterminds semver accepts `v1.2`.
public struct SemanticVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: UInt64
    public let minor: UInt64
    public let patch: UInt64
    /// Dot-separated identifiers after `-`; empty for a release.
    public let prerelease: [String]
    public let build: String?
    /// The text the version was parsed from (a tag keeps its own spelling).
    public let original: String

    public init?(_ text: String) {
        var rest = Substring(text)
        if rest.hasPrefix("v") || rest.hasPrefix("V") { rest = rest.dropFirst() }
        var build: String?
        if let plus = rest.firstIndex(of: "+") {
            build = String(rest[rest.index(after: plus)...])
            guard let build, !build.isEmpty, build.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(Self.isIdentifier) else { return nil }
            rest = rest[..<plus]
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            let text = rest[rest.index(after: dash)...]
            prerelease = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !prerelease.isEmpty, prerelease.allSatisfy({ Self.isIdentifier(Substring($0)) }) else { return nil }
            for identifier in prerelease where identifier.allSatisfy(\.isNumber) && identifier.count > 1 && identifier.hasPrefix("0") {
                return nil
            }
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(numbers.count) else { return nil }
        var parsed: [UInt64] = []
        for number in numbers {
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(number) else { return nil }
            guard number == "0" || !number.hasPrefix("0") else { return nil }
            parsed.append(value)
        }
        while parsed.count < 3 { parsed.append(0) }
        self.major = parsed[0]
        self.minor = parsed[1]
        self.patch = parsed[2]
        self.prerelease = prerelease
        self.build = build
        self.original = text
    }

    init(major: UInt64, minor: UInt64, patch: UInt64, prerelease: [String] = []) {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
        self.build = nil
        self.original = "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    static func isIdentifier(_ text: Substring) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    public var isPrerelease: Bool { !prerelease.isEmpty }

    public var description: String { original }

    /// Precedence per semver 2.0: build metadata is ignored; a prerelease sorts before its release;
    /// numeric identifiers compare numerically and sort before alphanumeric ones.
    public static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        if lhs.major != rhs.major { return lhs.major < rhs.major }
        if lhs.minor != rhs.minor { return lhs.minor < rhs.minor }
        if lhs.patch != rhs.patch { return lhs.patch < rhs.patch }
        if lhs.prerelease.isEmpty { return false }
        if rhs.prerelease.isEmpty { return true }
        for (left, right) in zip(lhs.prerelease, rhs.prerelease) where left != right {
            switch (UInt64(left), UInt64(right)) {
            case (let l?, let r?): return l < r
            case (.some, nil): return true
            case (nil, .some): return false
            default: return left < right
            }
        }
        return lhs.prerelease.count < rhs.prerelease.count
    }

    public static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool {
        lhs.major == rhs.major && lhs.minor == rhs.minor && lhs.patch == rhs.patch && lhs.prerelease == rhs.prerelease
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(major)
        hasher.combine(minor)
        hasher.combine(patch)
        hasher.combine(prerelease)
    }
}
