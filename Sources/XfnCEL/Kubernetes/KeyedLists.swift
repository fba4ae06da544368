/// Kubernetes' semantics for `x-kubernetes-list-type: set` and `map` lists: equality ignores order
/// (map lists match items by their keys) and `+` merges instead of concatenating. The checker binds
/// these when the left operand is declared as such a list.
enum KeyedLists {
    static func function(_ name: String, keys: [String]) -> CELFunction? {
        switch name {
        case "_==_":
            return CELFunction(name, arity: 2...2, cost: .compare) { a in try equals(a[0], a[1], keys) }
        case "_!=_":
            return CELFunction(name, arity: 2...2, cost: .compare) { a in
                guard case .bool(let b) = try equals(a[0], a[1], keys) else { throw CELEvalError.noOverload(name) }
                return .bool(!b)
            }
        case "_+_":
            return CELFunction(name, arity: 2...2, cost: .concat) { a in try add(a[0], a[1], keys) }
        default:
            return nil
        }
    }

    private static func lists(_ a: CELValue, _ b: CELValue, _ fn: String) throws -> ([CELValue], [CELValue]) {
        guard case .list(let x) = a, case .list(let y) = b else { throw CELEvalError.noOverload(fn) }
        return (x, y)
    }

    /// The identity of an item: the whole scalar for sets, the key properties (missing → null) for
    /// map lists.
    private static func identity(_ item: CELValue, _ keys: [String]) throws -> CELValue {
        if keys.isEmpty {
            switch item {
            case .list, .map: throw CELEvalError.general("listSet operations are only supported on lists of scalar values")
            default: return item
            }
        }
        guard case .map(let m) = item else { return .null }
        return .list(keys.map { m[string: $0] ?? .null })
    }

    private static func position(_ id: CELValue, in ids: [CELValue]) -> Int? {
        ids.firstIndex { celEquals($0, id) }
    }

    static func equals(_ a: CELValue, _ b: CELValue, _ keys: [String]) throws -> CELValue {
        let (x, y) = try lists(a, b, "_==_")
        guard x.count == y.count else { return .bool(false) }
        // Later items with the same identity win, as a Go map built from the list would keep them.
        var ids: [CELValue] = []
        var items: [CELValue] = []
        for item in x {
            let id = try identity(item, keys)
            if let i = position(id, in: ids) { items[i] = item } else { ids.append(id); items.append(item) }
        }
        var seen: [CELValue] = []
        for item in y {
            let id = try identity(item, keys)
            guard let i = position(id, in: ids) else { return .bool(false) }
            if !keys.isEmpty, !celEquals(items[i], item) { return .bool(false) }
            if position(id, in: seen) == nil { seen.append(id) }
        }
        return .bool(seen.count == ids.count)
    }

    static func add(_ a: CELValue, _ b: CELValue, _ keys: [String]) throws -> CELValue {
        let (first, y) = try lists(a, b, "_+_")
        var x = first
        var ids = try first.map { try identity($0, keys) }
        if keys.isEmpty {
            for item in y {
                let id = try identity(item, keys)
                if position(id, in: ids) == nil {
                    ids.append(id)
                    x.append(item)
                }
            }
            return .list(x)
        }
        // Map lists: an item replaces the one with the same keys; new keys are appended (and, as in
        // Kubernetes, appended items are not matched again).
        let original = ids
        for item in y {
            if let i = position(try identity(item, keys), in: original) { x[i] = item } else { x.append(item) }
        }
        return .list(x)
    }
}
