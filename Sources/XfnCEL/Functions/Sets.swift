/// cel-go's sets extension: `sets.contains`, `sets.equivalent`, `sets.intersects` on lists, with
/// heterogeneous equality between elements.
enum SetsExt {
    static var functions: [CELFunction] {
        [
            CELFunction("sets.contains", arity: 2...2, cost: .listWalk) { a in
                let (x, y) = try lists(a, "sets.contains")
                return .bool(y.allSatisfy { e in x.contains { celEquals($0, e) } })
            },
            CELFunction("sets.equivalent", arity: 2...2, cost: .listWalk) { a in
                let (x, y) = try lists(a, "sets.equivalent")
                return .bool(y.allSatisfy { e in x.contains { celEquals($0, e) } }
                    && x.allSatisfy { e in y.contains { celEquals($0, e) } })
            },
            CELFunction("sets.intersects", arity: 2...2, cost: .listWalk) { a in
                let (x, y) = try lists(a, "sets.intersects")
                return .bool(y.contains { e in x.contains { celEquals($0, e) } })
            },
        ]
    }

    private static func lists(_ a: [CELValue], _ name: String) throws -> ([CELValue], [CELValue]) {
        guard a.count == 2, case .list(let x) = a[0], case .list(let y) = a[1] else {
            throw CELEvalError.noOverload(name)
        }
        return (x, y)
    }
}
