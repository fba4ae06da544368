/// cel-go's sets extension: `sets.contains`, `sets.equivalent`, `sets.intersects` on lists, with
/// heterogeneous equality between elements.
enum SetsExt {
    static var functions: [CELFunction] {
        [
            CELFunction("sets.contains", arity: 2...2, cost: .custom(pairCost(1))) { a in
                let (x, y) = try lists(a, "sets.contains")
                return .bool(y.allSatisfy { e in x.contains { celEquals($0, e) } })
            },
            CELFunction("sets.equivalent", arity: 2...2, cost: .custom(pairCost(2))) { a in
                let (x, y) = try lists(a, "sets.equivalent")
                return .bool(y.allSatisfy { e in x.contains { celEquals($0, e) } }
                    && x.allSatisfy { e in y.contains { celEquals($0, e) } })
            },
            CELFunction("sets.intersects", arity: 2...2, cost: .custom(pairCost(1))) { a in
                let (x, y) = try lists(a, "sets.intersects")
                return .bool(y.contains { e in x.contains { celEquals($0, e) } })
            },
        ]
    }

    /// cel-go's tracker: 1 plus every element compared with every other (twice for equivalence).
    private static func pairCost(_ factor: Int) -> @Sendable ([CELValue], CELValue) -> UInt64 {
        { args, _ in 1 + UInt64(Evaluator.size(args[0]) * Evaluator.size(args[1]) * factor) }
    }

    private static func lists(_ a: [CELValue], _ name: String) throws -> ([CELValue], [CELValue]) {
        guard a.count == 2, case .list(let x) = a[0], case .list(let y) = a[1] else {
            throw CELEvalError.noOverload(name)
        }
        return (x, y)
    }
}
