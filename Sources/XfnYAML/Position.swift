import XfnCore

/// A 1-based line and column in a source file.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Where each field of a document was written: for an object member the position of its key, for an
/// array item the position of the item, for the root the document's first node. Stored as a tree
/// beside the value, so recording costs one small node per YAML node.
public struct PositionTable: Sendable {
    struct Node: Sendable {
        var position: SourcePosition
        /// In the order written; looked up only to place a finding, so a list is cheaper than a
        /// table per mapping. With duplicate keys allowed, the last one counts, as for the value.
        var members: [(key: String, node: Node)] = []
        var items: [Node] = []
    }

    var root: Node?

    public init() {}

    init(root: Node?) { self.root = root }

    private func node(at path: FieldPath, nearest: Bool) -> Node? {
        guard var current = root else { return nil }
        for element in path.elements {
            let next: Node?
            switch element {
            case .key(let key): next = current.members.last { $0.key == key }?.node
            case .index(let index): next = current.items.indices.contains(index) ? current.items[index] : nil
            }
            guard let next else { return nearest ? current : nil }
            current = next
        }
        return current
    }

    public subscript(path: FieldPath) -> SourcePosition? {
        node(at: path, nearest: false)?.position
    }

    /// The position of the path, or of its nearest written ancestor: a missing required field is
    /// best reported at the object that lacks it.
    public func nearest(_ path: FieldPath) -> SourcePosition? {
        node(at: path, nearest: true)?.position
    }
}

/// One document of a YAML stream.
public struct YAMLDocument: Sendable {
    public var value: Value
    public var positions: PositionTable
    /// 0-based index of the document in its stream, counting empty documents that were skipped.
    public var index: Int
    public var file: String

    public init(value: Value, positions: PositionTable, index: Int, file: String) {
        self.value = value
        self.positions = positions
        self.index = index
        self.file = file
    }

    /// Where the document starts.
    public var start: SourcePosition? { positions[.root] }
}
