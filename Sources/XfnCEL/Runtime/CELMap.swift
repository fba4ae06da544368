#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A CEL map: keys are int, uint, bool or string; numeric keys of equal value are the same key
/// (`{1: 'a'}[1u]` finds it). Remembers insertion order for stable output.
public struct CELMap: Sendable {
    /// The normalised key used for lookups.
    enum Key: Hashable, Sendable {
        case int(Int64)
        case uint(UInt64)
        case bool(Bool)
        case string(ScalarString)

        init?(_ value: CELValue) {
            switch value {
            case .int(let i): self = .int(i)
            case .uint(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .uint(u)
            case .bool(let b): self = .bool(b)
            case .string(let s): self = .string(ScalarString(s))
            default: return nil
            }
        }

        /// Lookup-only form that also accepts integral doubles, as heterogeneous equality does.
        init?(lookup value: CELValue) {
            if case .double(let d) = value {
                if let i = Int64(exactly: d) { self = .int(i); return }
                if let u = UInt64(exactly: d) { self = .uint(u); return }
                return nil
            }
            self.init(value)
        }
    }

    // Keys and values in separate arrays: reading one value then copies a single enum, not a tuple.
    public private(set) var keys: [CELValue] = []
    private(set) var values: [CELValue] = []

    /// The entries in insertion order.
    public var entries: [(key: CELValue, value: CELValue)] { Array(zip(keys, values)) }
    /// Normalised keys, parallel to `keys`; small maps (most Kubernetes objects) are searched
    /// linearly, larger ones get a hash index.
    private var normalized: [Key] = []
    private var index: [Key: Int]?
    private static let indexThreshold = 12

    private func position(_ k: Key) -> Int? {
        if let index { return index[k] }
        return normalized.firstIndex(of: k)
    }

    private mutating func append(_ k: Key, _ key: CELValue, _ value: CELValue) {
        if index != nil {
            index![k] = keys.count
        } else if normalized.count >= CELMap.indexThreshold {
            var built: [Key: Int] = [:]
            for (i, n) in normalized.enumerated() { built[n] = i }
            built[k] = keys.count
            index = built
        }
        normalized.append(k)
        keys.append(key)
        values.append(value)
    }

    public init() {}

    /// An empty map with room for `capacity` entries, to avoid regrowing while converting objects.
    public init(capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        normalized.reserveCapacity(capacity)
    }

    public var count: Int { keys.count }

    /// Adds or replaces an entry; throws for keys CEL does not allow.
    public mutating func set(_ key: CELValue, _ value: CELValue) throws {
        guard let k = Key(key) else {
            throw CELEvalError.general("unsupported key type: \(key.typeName)")
        }
        if let i = position(k) {
            values[i] = value
        } else {
            append(k, key, value)
        }
    }

    /// Adds an entry whose key must not be present yet (map literals reject duplicates).
    mutating func insertNew(_ key: CELValue, _ value: CELValue) throws {
        guard let k = Key(key) else {
            throw CELEvalError.general("unsupported key type: \(key.typeName)")
        }
        if position(k) != nil { throw CELEvalError.general("Failed with repeated key: \(key.debugText)") }
        append(k, key, value)
    }

    /// Value for a key compared with heterogeneous equality; nil when absent.
    public subscript(key: CELValue) -> CELValue? {
        guard let k = Key(lookup: key), let i = position(k) else { return nil }
        return values[i]
    }

    public subscript(string key: String) -> CELValue? {
        guard let i = position(.string(ScalarString(key))) else { return nil }
        return values[i]
    }

    func contains(_ key: CELValue) -> Bool { self[key] != nil }
}

/// A string compared and hashed by its UTF-8 bytes: Swift's `String` equality treats canonically
/// equivalent strings as equal, CEL does not.
struct ScalarString: Hashable, Sendable {
    let value: String
    init(_ value: String) { self.value = value }
    static func == (a: ScalarString, b: ScalarString) -> Bool {
        var x = a.value
        var y = b.value
        return x.withUTF8 { xb in
            y.withUTF8 { yb in xb.count == yb.count && (xb.count == 0 || memcmp(xb.baseAddress!, yb.baseAddress!, xb.count) == 0) }
        }
    }
    func hash(into hasher: inout Hasher) {
        var copy = value
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
