/// Heterogeneous equality and ordering (cel-spec "Equality" and "Ordering"): numbers of different kinds
/// compare on one number line, values of unrelated types are simply unequal.
extension CELValue {
    public static func == (a: CELValue, b: CELValue) -> Bool { celEquals(a, b) }
}

func celEquals(_ a: CELValue, _ b: CELValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    // Scalar-wise: Swift's `==` would treat canonically equivalent strings as equal; CEL does not.
    case (.string(let x), .string(let y)): return ScalarString(x) == ScalarString(y)
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.int, _), (.uint, _), (.double, _):
        return compareNumbers(a, b) == 0
    case (.list(let x), .list(let y)):
        guard x.count == y.count else { return false }
        for i in x.indices where !celEquals(x[i], y[i]) { return false }
        return true
    case (.map(let x), .map(let y)):
        guard x.count == y.count else { return false }
        for (k, v) in x.entries {
            guard let w = y[k], celEquals(v, w) else { return false }
        }
        return true
    case (.type(let x), .type(let y)): return x == y
    case (.timestamp(let x), .timestamp(let y)): return x == y
    case (.duration(let x), .duration(let y)): return x == y
    case (.optional(let x), .optional(let y)):
        switch (x, y) {
        case (nil, nil): return true
        case (let p?, let q?): return celEquals(p, q)
        default: return false
        }
    case (.object(let x), .object(let y)): return x.isEqual(to: y)
    default: return false
    }
}

/// -1, 0 or 1 for two numbers of any kinds; nil when either is not a number or NaN is involved.
func compareNumbers(_ a: CELValue, _ b: CELValue) -> Int? {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : x > y ? 1 : 0
    case (.uint(let x), .uint(let y)): return x < y ? -1 : x > y ? 1 : 0
    case (.double(let x), .double(let y)):
        if x.isNaN || y.isNaN { return nil }
        return x < y ? -1 : x > y ? 1 : 0
    case (.int(let x), .uint(let y)):
        if x < 0 { return -1 }
        return UInt64(x) < y ? -1 : UInt64(x) > y ? 1 : 0
    case (.uint, .int): return compareNumbers(b, a).map { -$0 }
    // Integers meet doubles as doubles, as cel-go compares them (lossy above 2^53).
    case (.int(let x), .double): return compareNumbers(.double(Double(x)), b)
    case (.double, .int(let y)): return compareNumbers(a, .double(Double(y)))
    case (.uint(let x), .double): return compareNumbers(.double(Double(x)), b)
    case (.double, .uint(let y)): return compareNumbers(a, .double(Double(y)))
    default: return nil
    }
}

/// Ordering for `<`, `<=`, `>`, `>=`; throws "no such overload" for unordered kinds. Returns nil when a
/// NaN makes every comparison false.
func celCompare(_ a: CELValue, _ b: CELValue, _ op: String) throws -> Int? {
    switch (a, b) {
    case (.int, _), (.uint, _), (.double, _):
        switch b {
        case .int, .uint, .double: return compareNumbers(a, b)
        default: throw CELEvalError.noOverload(op)
        }
    case (.string(let x), .string(let y)):
        return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : x.utf8.elementsEqual(y.utf8) ? 0 : 1
    case (.bytes(let x), .bytes(let y)):
        return x.lexicographicallyPrecedes(y) ? -1 : x == y ? 0 : 1
    case (.bool(let x), .bool(let y)):
        return x == y ? 0 : (!x ? -1 : 1)
    case (.timestamp(let x), .timestamp(let y)): return x < y ? -1 : x == y ? 0 : 1
    case (.duration(let x), .duration(let y)): return x < y ? -1 : x == y ? 0 : 1
    case (.object(let x), .object(let y)):
        if let cx = x as? any CELComparable, let r = cx.compare(to: y) { return r }
        throw CELEvalError.noOverload(op)
    default:
        throw CELEvalError.noOverload(op)
    }
}

/// Library types that support ordering (quantity, semver).
public protocol CELComparable {
    func compare(to other: any CELObject) -> Int?
}

/// Library types whose fields can be selected with `.`.
public protocol CELFieldAccess {
    func field(_ name: String) -> CELValue?
}
