/// A string-keyed map that remembers insertion order, as YAML and JSON objects are written. Equality
/// ignores order, as Kubernetes objects compare.
public struct ValueObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String] = []
    private var storage: [String: Value] = [:]

    public init() {}

    /// Later duplicates replace earlier values but keep the first key's position.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, Value) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> Value? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public func contains(_ key: String) -> Bool { storage[key] != nil }

    public var values: [Value] { keys.map { storage[$0]! } }

    public func makeIterator() -> some IteratorProtocol<(key: String, value: Value)> {
        keys.lazy.map { (key: $0, value: storage[$0]!) }.makeIterator()
    }

    /// The same pairs with keys in byte order, as Kubernetes' YAML marshalling writes them.
    public func sortedByKey() -> ValueObject {
        var sorted = ValueObject()
        for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) { sorted[key] = storage[key] }
        return sorted
    }

    public static func == (lhs: ValueObject, rhs: ValueObject) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}
