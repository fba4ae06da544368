/// cel-go's lists extension, version 3 (Kubernetes 1.34+): `slice`, `flatten`, `distinct`,
/// `lists.range`, `reverse`, `sort`; `sortBy` is a macro expanded by the parser.
enum ListsExt {
    static var functions: [CELFunction] {
        [
            CELFunction("slice", .receiver, arity: 3...3, cost: .custom(outputCost)) { a in
                guard case .list(let l) = a[0], case .int(let s) = a[1], case .int(let e) = a[2] else {
                    throw CELEvalError.noOverload("slice")
                }
                guard s >= 0, e >= 0 else { throw CELEvalError.general("cannot slice(\(s), \(e)), negative indexes not supported") }
                guard s <= e else { throw CELEvalError.general("cannot slice(\(s), \(e)), start index must be less than or equal to end index") }
                guard e <= l.count else { throw CELEvalError.general("cannot slice(\(s), \(e)), list is length \(l.count)") }
                return .list(Array(l[Int(s)..<Int(e)]))
            },
            CELFunction("flatten", .receiver, arity: 1...2, cost: .custom(flattenCost)) { a in
                guard case .list(let l) = a[0] else { throw CELEvalError.noOverload("flatten") }
                var depth: Int64 = 1
                if a.count == 2 {
                    guard case .int(let d) = a[1] else { throw CELEvalError.noOverload("flatten") }
                    guard d >= 0 else { throw CELEvalError.general("level must be non-negative") }
                    depth = d
                }
                return .list(flatten(l, depth))
            },
            CELFunction("distinct", .receiver, arity: 1...1, cost: .custom({ a, _ in selfCompareCost(a[0]) })) { a in
                guard case .list(let l) = a[0] else { throw CELEvalError.noOverload("distinct") }
                var out: [CELValue] = []
                for e in l where !out.contains(where: { celEquals($0, e) }) { out.append(e) }
                return .list(out)
            },
            CELFunction("lists.range", arity: 1...1, cost: .custom(outputCost)) { a in
                guard case .int(let n) = a[0] else { throw CELEvalError.noOverload("lists.range") }
                guard n <= 1_000_000 else { throw CELEvalError.general("lists.range(\(n)) is too large") }
                return .list(n <= 0 ? [] : (0..<n).map { .int($0) })
            },
            CELFunction("reverse", .receiver, arity: 1...1, cost: .custom(outputCost)) { a in
                guard case .list(let l) = a[0] else { throw CELEvalError.noOverload("reverse") }
                return .list(l.reversed())
            },
            CELFunction("sort", .receiver, arity: 1...1, cost: .custom({ a, _ in selfCompareCost(a[0]) })) { a in
                guard case .list(let l) = a[0] else { throw CELEvalError.noOverload("sort") }
                return .list(try sorted(l, keys: l))
            },
            // The second half of the `sortBy` macro: sorts the list by the computed keys.
            CELFunction("@sortByAssociatedKeys", .receiver, arity: 2...2, cost: .custom({ a, _ in selfCompareCost(a[1]) })) { a in
                guard case .list(let l) = a[0], case .list(let keys) = a[1], keys.count == l.count else {
                    throw CELEvalError.noOverload("sortBy")
                }
                return .list(try sorted(l, keys: keys))
            },
        ]
    }

    // cel-go's list cost trackers: a call and a list allocation (1 + 10) plus the work done.
    private static func allocating(_ factor: Double, _ size: Int) -> UInt64 {
        UInt64(Double(size) * factor) + 11
    }

    @Sendable private static func outputCost(_ args: [CELValue], _ result: CELValue) -> UInt64 {
        allocating(1, Evaluator.size(result))
    }

    @Sendable private static func flattenCost(_ args: [CELValue], _ result: CELValue) -> UInt64 {
        var depth: Int64 = 1
        if args.count == 2, case .int(let d) = args[1] { depth = d }
        return allocating(Double(depth), Evaluator.size(args[0]))
    }

    /// Sorting and de-duplicating compare every pair in the worst case.
    static func selfCompareCost(_ list: CELValue) -> UInt64 {
        guard case .list(let l) = list, let first = l.first else { return allocating(2, 0) }
        var factor = 2.0
        switch first {
        case .string, .bytes: factor += 0.1
        default: break
        }
        return allocating(factor, l.count * l.count)
    }

    private static func flatten(_ l: [CELValue], _ depth: Int64) -> [CELValue] {
        var out: [CELValue] = []
        for e in l {
            if depth > 0, case .list(let inner) = e { out += flatten(inner, depth - 1) } else { out.append(e) }
        }
        return out
    }

    /// Stable sort by `keys`; every key must be of one orderable kind.
    static func sorted(_ l: [CELValue], keys: [CELValue]) throws -> [CELValue] {
        if let first = keys.first {
            for k in keys where k.type != first.type {
                throw CELEvalError.general("list elements must have the same type")
            }
            _ = try celCompare(first, first, "sort")
        }
        // Keys share one orderable kind (checked above), so comparing cannot fail; NaN sorts as equal.
        let order = keys.indices.sorted { i, j in
            let c = (try? celCompare(keys[i], keys[j], "sort")) ?? nil
            return (c ?? 0) < 0 || ((c ?? 0) == 0 && i < j)
        }
        return order.map { l[$0] }
    }
}
