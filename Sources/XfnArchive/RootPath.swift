/// A path inside the extraction root, already checked: relative, no `..`, no empty or `.`
/// components. The empty path is the root itself.
struct RootPath: Hashable, CustomStringConvertible {
    let components: [String]

    enum Problem: Error {
        case absolute
        case parentReference
        case tooLong
    }

    /// Linux's PATH_MAX. Longer paths cannot be opened by the programs that would run from the
    /// tree, and capping them bounds the tree's depth (and so the recursion of removal).
    static let maxLength = 4096

    /// Parses a path as tar stores it (`./etc/passwd`, `etc/`, `usr//lib`). Absolute paths and any
    /// `..` component are refused outright rather than cleaned: a layer that contains them is hostile
    /// or broken, and silently rewriting them would hide that.
    init(archivePath raw: String) throws(Problem) {
        if raw.hasPrefix("/") { throw .absolute }
        if raw.utf8.count > Self.maxLength { throw .tooLong }
        var components: [String] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { throw .parentReference }
            components.append(String(part))
        }
        self.components = components
    }

    init(components: [String]) { self.components = components }

    var isRoot: Bool { components.isEmpty }
    var name: String { components.last ?? "" }
    var parent: RootPath { RootPath(components: Array(components.dropLast())) }
    var description: String { components.joined(separator: "/") }

    func appending(_ name: String) -> RootPath { RootPath(components: components + [name]) }

    /// This path and every ancestor except the root, shortest first.
    var selfAndAncestors: [String] {
        var result: [String] = []
        var current = ""
        for component in components {
            current = current.isEmpty ? component : current + "/" + component
            result.append(current)
        }
        return result
    }
}
