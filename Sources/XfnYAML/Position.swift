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
/// array item the position of the item, for the root the document's first node.
public struct PositionTable: Sendable {
    private var storage: [FieldPath: SourcePosition] = [:]

    public init() {}

    public subscript(path: FieldPath) -> SourcePosition? {
        get { storage[path] }
        set { storage[path] = newValue }
    }

    /// The position of the path, or of its nearest written ancestor: a missing required field is
    /// best reported at the object that lacks it.
    public func nearest(_ path: FieldPath) -> SourcePosition? {
        var current = path
        while true {
            if let found = storage[current] { return found }
            if current.isRoot { return nil }
            current = current.parent
        }
    }

    public var count: Int { storage.count }
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
