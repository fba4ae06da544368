/// Kubernetes' list library (v0): `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists.
enum KubernetesLists {
    static var functions: [CELFunction] {
        [
            CELFunction("isSorted", .receiver, arity: 1...1, cost: .receiverWalk) { a in
                let l = try list(a, "isSorted")
                for i in l.indices.dropFirst() {
                    guard let c = try celCompare(l[i - 1], l[i], "isSorted") else { return .bool(false) }
                    if c > 0 { return .bool(false) }
                }
                return .bool(true)
            },
            CELFunction("sum", .receiver, arity: 1...1, cost: .receiverWalk) { a in
                let l = try list(a, "sum")
                guard var total = l.first else { return .int(0) }
                for e in l.dropFirst() { total = try Operators.add(total, e) }
                switch total {
                case .int, .uint, .double, .duration: return total
                default: throw CELEvalError.noOverload("sum")
                }
            },
            CELFunction("min", .receiver, arity: 1...1, cost: .receiverWalk) { a in try extreme(a, "min", wantLess: true) },
            CELFunction("max", .receiver, arity: 1...1, cost: .receiverWalk) { a in try extreme(a, "max", wantLess: false) },
            CELFunction("indexOf", .receiver, arity: 2...2, cost: .receiverWalk) { a in
                let l = try list(a, "indexOf")
                return .int(Int64(l.firstIndex { celEquals($0, a[1]) } ?? -1))
            },
            CELFunction("lastIndexOf", .receiver, arity: 2...2, cost: .receiverWalk) { a in
                let l = try list(a, "lastIndexOf")
                return .int(Int64(l.lastIndex { celEquals($0, a[1]) } ?? -1))
            },
        ]
    }

    private static func list(_ a: [CELValue], _ name: String) throws -> [CELValue] {
        guard case .list(let l) = a[0] else { throw CELEvalError.noOverload(name) }
        return l
    }

    private static func extreme(_ a: [CELValue], _ name: String, wantLess: Bool) throws -> CELValue {
        let l = try list(a, name)
        guard a.count == 1 else { throw CELEvalError.noOverload(name) }
        guard var best = l.first else {
            throw CELEvalError.general("\(name) called on empty list")
        }
        for e in l.dropFirst() {
            guard let c = try celCompare(e, best, name) else { continue }
            if wantLess ? c < 0 : c > 0 { best = e }
        }
        return best
    }
}

/// Kubernetes' regex library: `find` and `findAll` with RE2 syntax.
enum KubernetesRegex {
    static var functions: [CELFunction] {
        [
            CELFunction("find", .receiver, arity: 2...2, cost: .regex) { a in
                guard case .string(let s) = a[0], case .string(let p) = a[1] else { throw CELEvalError.noOverload("find") }
                let re = try RegexCache.shared.regex(p)
                return .string(re.allMatches(in: s, limit: 1).first ?? "")
            },
            CELFunction("findAll", .receiver, arity: 2...3, cost: .regex) { a in
                guard case .string(let s) = a[0], case .string(let p) = a[1] else {
                    throw CELEvalError.noOverload("findAll")
                }
                var limit = -1
                if a.count == 3 {
                    guard case .int(let n) = a[2] else { throw CELEvalError.noOverload("findAll") }
                    limit = n < 0 ? -1 : Int(clamping: n)
                }
                if limit == 0 { return .list([]) }
                let re = try RegexCache.shared.regex(p)
                return .list(re.allMatches(in: s, limit: limit).map { .string($0) })
            },
        ]
    }
}
