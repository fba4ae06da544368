import Foundation
import XfnCore

/// A version constraint as Crossplane writes `dependsOn[].version`, with the semantics of Masterminds
/// semver v3: `||` separates alternatives; commas or spaces join comparisons that must all hold;
/// operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~`, `~>`, `^`, wildcards `x`, `X`, `*`, and hyphen
/// ranges `1.2 - 1.4.5`. A prerelease version satisfies a comparison only when that comparison's own
/// version names a prerelease.
public struct VersionConstraint: Sendable, CustomStringConvertible {
    public let text: String
    let alternatives: [[Comparison]]

    public var description: String { text }

    public struct ParseError: XfnError {
        public let text: String
        public let reason: String
        public var message: String { "invalid version constraint '\(text)': \(reason)" }
        public var hint: String? { "write a version such as v1.2.3, or a range such as >=v1.2.0, <v2.0.0 (see semver.org)" }
        public var exitCode: ExitStatus { .usage }
    }

    public init(_ text: String) throws {
        self.text = text
        var alternatives: [[Comparison]] = []
        for group in text.components(separatedBy: "||") {
            let trimmed = group.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw ParseError(text: text, reason: "an alternative between '||' is empty") }
            alternatives.append(try Self.parseGroup(trimmed, whole: text))
        }
        self.alternatives = alternatives
    }

    public func isSatisfied(by version: SemanticVersion) -> Bool {
        alternatives.contains { group in group.allSatisfy { $0.isSatisfied(by: version) } }
    }

    /// The highest version among `tags` that satisfies the constraint; tags that are not versions are ignored.
    public func best(of tags: [String]) -> SemanticVersion? {
        tags.compactMap(SemanticVersion.init).filter(isSatisfied(by:)).max()
    }

    private static func parseGroup(_ group: String, whole: String) throws -> [Comparison] {
        // A hyphen range needs spaces around the hyphen, so `1.0.0-rc.1` stays a prerelease.
        let hyphen = group.components(separatedBy: " - ")
        if hyphen.count == 2 {
            let lower = try Bound(parsing: hyphen[0].trimmingCharacters(in: .whitespaces), whole: whole)
            let upper = try Bound(parsing: hyphen[1].trimmingCharacters(in: .whitespaces), whole: whole)
            return [Comparison(operator: .greaterOrEqual, bound: lower), Comparison(operator: .lessOrEqual, bound: upper)]
        }
        var tokens: [String] = []
        var pendingOperator = ""
        for piece in group.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) {
            if piece.allSatisfy({ "=!<>~^".contains($0) }) {
                pendingOperator += piece
                continue
            }
            tokens.append(pendingOperator + piece)
            pendingOperator = ""
        }
        guard pendingOperator.isEmpty else { throw ParseError(text: whole, reason: "'\(pendingOperator)' has no version after it") }
        guard !tokens.isEmpty else { throw ParseError(text: whole, reason: "no comparison found") }
        return try tokens.map { try Comparison(parsing: $0, whole: whole) }
    }
}

/// A version in a constraint, where parts may be wildcards or left out (`1.2`, `1.x`, `*`).
struct Bound: Sendable {
    var major: UInt64
    var minor: UInt64
    var patch: UInt64
    var prerelease: [String]
    /// How many leading parts are concrete (0 for `*`, 2 for `1.2.x` or `1.2`).
    var concreteParts: Int

    init(parsing text: String, whole: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("v") || rest.hasPrefix("V") { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        prerelease = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard prerelease.allSatisfy({ SemanticVersion.isIdentifier(Substring($0)) }) else {
                throw VersionConstraint.ParseError(text: whole, reason: "'\(text)' has an invalid prerelease")
            }
            rest = rest[..<dash]
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else {
            throw VersionConstraint.ParseError(text: whole, reason: "'\(text)' is not a version")
        }
        var numbers: [UInt64] = []
        var concrete = 0
        var sawWildcard = false
        for part in parts {
            if part == "x" || part == "X" || part == "*" {
                sawWildcard = true
                numbers.append(0)
                continue
            }
            guard !sawWildcard, let value = UInt64(part), part.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw VersionConstraint.ParseError(text: whole, reason: "'\(text)' is not a version")
            }
            numbers.append(value)
            concrete += 1
        }
        while numbers.count < 3 { numbers.append(0) }
        major = numbers[0]
        minor = numbers[1]
        patch = numbers[2]
        concreteParts = concrete
    }

    var isWildcard: Bool { concreteParts < 3 }

    var lower: SemanticVersion { SemanticVersion(major: major, minor: minor, patch: patch, prerelease: prerelease) }

    /// The first version past the wildcard range: `1.2.x` → 1.3.0, `1.x` → 2.0.0; nil for `*`.
    var wildcardUpper: SemanticVersion? {
        switch concreteParts {
        case 0: nil
        case 1: SemanticVersion(major: major + 1, minor: 0, patch: 0)
        case 2: SemanticVersion(major: major, minor: minor + 1, patch: 0)
        default: SemanticVersion(major: major, minor: minor, patch: patch + 1)
        }
    }
}

struct Comparison: Sendable {
    enum Operator: String, Sendable {
        case equal = "=", notEqual = "!=", greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="
        case tilde = "~", caret = "^"
    }

    let `operator`: Operator
    let bound: Bound

    init(operator: Operator, bound: Bound) {
        self.operator = `operator`
        self.bound = bound
    }

    init(parsing token: String, whole: String) throws {
        let symbols = String(token.prefix { "=!<>~^".contains($0) })
        let normalized: String =
            switch symbols {
            case "=>": ">="
            case "=<": "<="
            case "~>": "~"
            case "": "="
            default: symbols
            }
        guard let op = Operator(rawValue: normalized) else {
            throw VersionConstraint.ParseError(text: whole, reason: "unknown operator '\(symbols)'")
        }
        self.operator = op
        self.bound = try Bound(parsing: String(token.dropFirst(symbols.count)), whole: whole)
    }

    func isSatisfied(by version: SemanticVersion) -> Bool {
        if version.isPrerelease && bound.prerelease.isEmpty { return false }
        let lower = bound.lower
        switch self.operator {
        case .equal: return inWildcardRange(version)
        case .notEqual: return !inWildcardRange(version)
        case .greater:
            guard bound.isWildcard else { return version > lower }
            guard let upper = bound.wildcardUpper else { return false }
            return version >= upper
        case .greaterOrEqual: return version >= lower
        case .less: return version < lower
        case .lessOrEqual:
            guard bound.isWildcard else { return version <= lower }
            guard let upper = bound.wildcardUpper else { return true }
            return version < upper
        case .tilde:
            let upper = bound.concreteParts <= 1
                ? SemanticVersion(major: bound.major + 1, minor: 0, patch: 0)
                : SemanticVersion(major: bound.major, minor: bound.minor + 1, patch: 0)
            return version >= lower && (bound.concreteParts == 0 || version < upper)
        case .caret:
            let upper: SemanticVersion
            if bound.major > 0 || bound.concreteParts <= 1 {
                upper = SemanticVersion(major: bound.major + 1, minor: 0, patch: 0)
            } else if bound.minor > 0 || bound.concreteParts == 2 {
                upper = SemanticVersion(major: 0, minor: bound.minor + 1, patch: 0)
            } else {
                upper = SemanticVersion(major: 0, minor: 0, patch: bound.patch + 1)
            }
            return version >= lower && (bound.concreteParts == 0 || version < upper)
        }
    }

    private func inWildcardRange(_ version: SemanticVersion) -> Bool {
        guard bound.isWildcard else { return version == bound.lower }
        guard let upper = bound.wildcardUpper else { return true }
        return version >= bound.lower && version < upper
    }
}
