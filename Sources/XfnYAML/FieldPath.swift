/// A location inside a document: object keys and array indices from the root. Rendered the way
/// Kubernetes schema errors name fields (`spec.items[2].name`), so a validation error's path and a
/// YAML position share one key.
public struct FieldPath: Hashable, Sendable, CustomStringConvertible {
    public enum Element: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    public private(set) var elements: [Element]

    public init(_ elements: [Element] = []) { self.elements = elements }

    public static let root = FieldPath()

    public var isRoot: Bool { elements.isEmpty }

    public func child(_ key: String) -> FieldPath {
        var copy = self
        copy.elements.append(.key(key))
        return copy
    }

    public func index(_ index: Int) -> FieldPath {
        var copy = self
        copy.elements.append(.index(index))
        return copy
    }

    /// The path without its last element; the root is its own parent.
    public var parent: FieldPath {
        var copy = self
        if !copy.elements.isEmpty { copy.elements.removeLast() }
        return copy
    }

    /// The last key of the path, if the path ends in a key.
    public var lastKey: String? {
        if case .key(let key)? = elements.last { key } else { nil }
    }

    public var description: String {
        var out = ""
        for element in elements {
            switch element {
            case .key(let key):
                if !out.isEmpty { out += "." }
                out += key
            case .index(let index):
                out += "[\(index)]"
            }
        }
        return out
    }

    /// Reads the rendered form back (`a.b[1].c`). Keys that contain dots or brackets cannot be told
    /// apart from nesting in that form; callers holding a `FieldPath` should keep using it.
    public init(parsing text: String) {
        var elements: [Element] = []
        var current = ""
        var iterator = text.makeIterator()
        var pendingKey = false
        func flush() {
            if pendingKey || !current.isEmpty { elements.append(.key(current)) }
            current = ""
            pendingKey = false
        }
        while let c = iterator.next() {
            switch c {
            case ".":
                flush()
                pendingKey = true
            case "[":
                flush()
                var digits = ""
                while let d = iterator.next(), d != "]" { digits.append(d) }
                if let i = Int(digits) { elements.append(.index(i)) } else { elements.append(.key(digits)) }
            default:
                current.append(c)
            }
        }
        flush()
        self.elements = elements
    }
}
