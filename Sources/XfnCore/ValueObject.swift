/// A string-keyed map that remembers insertion order, as YAML and JSON objects are written. Equality
/// ignores order, as Kubernetes objects compare.
///
/// Pairs are kept in one array. Most objects (resource fields, schema nodes) have a handful of
/// keys, which a linear search finds faster than hashing them; a position table is added only once
/// an object grows past `indexedCount` keys (a schema's `properties`, a large ConfigMap).
public struct ValueObject: Sendable, Hashable, Sequence {
    public typealias Element = (key: String, value: Value)

    private var entries: [Element] = []
    /// Each key's offset in `entries`, kept only for large objects.
    private var positions: [String: Int]?

    static let indexedCount = 8

    public init() {}

    /// Later duplicates replace earlier values but keep the first key's position.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        entries.reserveCapacity(pairs.underestimatedCount)
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [Value] { entries.map(\.value) }

    /// The pair at a position from `position(of:)` or iteration order.
    public func entry(at position: Int) -> Element { entries[position] }

    /// Where `key` sits among the pairs, in insertion order.
    public func position(of key: String) -> Int? {
        if let positions { return positions[key] }
        for offset in entries.indices where entries[offset].key == key { return offset }
        return nil
    }

    public subscript(key: String) -> Value? {
        get { position(of: key).map { entries[$0].value } }
        set {
            if let newValue {
                if let offset = position(of: key) {
                    entries[offset].value = newValue
                    return
                }
                entries.append((key, newValue))
                if positions != nil {
                    positions![key] = entries.count - 1
                } else if entries.count > Self.indexedCount {
                    indexPositions()
                }
            } else if let offset = position(of: key) {
                entries.remove(at: offset)
                if positions != nil { indexPositions() }
            }
        }
    }

    private mutating func indexPositions() {
        var table: [String: Int] = [:]
        table.reserveCapacity(entries.count)
        for (offset, entry) in entries.enumerated() { table[entry.key] = offset }
        positions = table
    }

    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// The same pairs with keys in byte order, as Kubernetes' YAML marshalling writes them.
    public func sortedByKey() -> ValueObject {
        var sorted = self
        sorted.entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        if sorted.positions != nil { sorted.indexPositions() }
        return sorted
    }

    public static func == (lhs: ValueObject, rhs: ValueObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs.entries {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }

    /// Independent of order, as equality is: the pairs' own hashes are summed.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in entries {
            var pair = Hasher()
            pair.combine(key)
            pair.combine(value)
            sum &+= pair.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }
}
