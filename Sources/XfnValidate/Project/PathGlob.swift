import Foundation

/// A repository path pattern, as `.xfn.yaml` writes them: `*` and `?` and `[...]` inside one path
/// segment, `**` for any number of segments. A pattern without `/` matches a name at any depth, and
/// a pattern matching a directory matches everything below it (as `.gitignore` reads them).
public struct PathGlob: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let segments: [String]

    public init(_ pattern: String) {
        self.pattern = pattern
        var trimmed = pattern
        while trimmed.hasPrefix("./") { trimmed.removeFirst(2) }
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        var parts = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if !trimmed.contains("/") { parts.insert("**", at: 0) }
        segments = parts
    }

    public var description: String { pattern }

    /// Whether `path` (relative to the repository root, `/`-separated) or one of its parent
    /// directories matches.
    public func matches(_ path: String) -> Bool {
        let names = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for count in stride(from: names.count, through: 1, by: -1) where Self.match(segments[...], names[0..<count]) {
            return true
        }
        return false
    }

    private static func match(_ pattern: ArraySlice<String>, _ names: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return names.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            var remaining = names
            while true {
                if match(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let name = names.first, fnmatch(first, name, 0) == 0 else { return false }
        return match(pattern.dropFirst(), names.dropFirst())
    }
}
