// Costs: cel-go expands macros into folds whose loop condition and accumulator updates are charged
// like any other expression (reading the accumulator 1, the not-strictly-false test 1, appending
// to the result list 1 plus 10 for the one-element list). The charges below reproduce those.
extension Evaluator {
    /// Runs a macro over a list (elements, or index and element) or a map (keys, or key and value).
    func comprehension(_ c: CompiledComprehension) throws -> CELValue {
        let range = try eval(c.range)
        try charge(1)  // reading the result once the loop ends
        if c.kind == .optMap || c.kind == .optFlatMap {
            guard case .optional(let inner) = range else { throw CELEvalError.noOverload("optMap") }
            guard let inner else { return .optional(nil) }
            bind(c, inner, inner)
            let r = try eval(c.body)
            if c.kind == .optMap { return .optional(r) }
            guard case .optional = r else { throw CELEvalError.noOverload("optFlatMap") }
            return r
        }
        let pairs: RangeView
        switch range {
        case .list(let l): pairs = .list(l, indexed: c.twoVariables)
        case .map(let m): pairs = .map(m.keys, m.values)
        default:
            throw CELEvalError(.noSuchOverload, "expression of type '\(range.typeName)' cannot be the range of a comprehension")
        }
        switch c.kind {
        case .all, .exists:
            let decisive = c.kind == .exists
            let condition: UInt64 = decisive ? 3 : 2
            var pending: (any Error)?
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                try charge(condition + 1)
                bind(c, a, b)
                do {
                    guard case .bool(let r) = try eval(c.body) else {
                        throw CELEvalError.noOverload(decisive ? "exists" : "all")
                    }
                    if r == decisive {
                        if i < pairs.count - 1 { try charge(condition) }  // the loop test that stops it
                        return .bool(decisive)
                    }
                } catch let e as CELEvalError where e.kind == .costLimitExceeded {
                    throw e
                } catch {
                    if pending == nil { pending = error }
                }
            }
            if let pending { throw pending }
            return .bool(!decisive)
        case .existsOne:
            var count = 0
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                bind(c, a, b)
                guard case .bool(let r) = try eval(c.body) else { throw CELEvalError.noOverload("exists_one") }
                try charge(r ? 2 : 1)
                if r { count += 1 }
            }
            try charge(1)
            return .bool(count == 1)
        case .filter:
            var out: [CELValue] = []
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                bind(c, a, b)
                guard case .bool(let r) = try eval(c.body) else { throw CELEvalError.noOverload("filter") }
                try charge(r ? 13 : 1)
                if r { out.append(a) }
            }
            return .list(out)
        case .map:
            var out: [CELValue] = []
            out.reserveCapacity(pairs.count)
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                bind(c, a, b)
                if try !passes(c) {
                    try charge(1)
                    continue
                }
                out.append(try eval(c.body))
                try charge(12)
            }
            return .list(out)
        case .transformMap:
            guard case .map = range else { throw CELEvalError.noOverload("transformMap") }
            var out = CELMap()
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                bind(c, a, b)
                if try !passes(c) {
                    try charge(1)
                    continue
                }
                try out.set(a, try eval(c.body))
                try charge(3)
            }
            return .map(out)
        case .transformMapEntry:
            var out = CELMap()
            for i in 0..<pairs.count {
                let (a, b) = pairs[i]
                bind(c, a, b)
                if try !passes(c) {
                    try charge(1)
                    continue
                }
                try charge(3)
                guard case .map(let entry) = try eval(c.body) else {
                    throw CELEvalError.noOverload("transformMapEntry")
                }
                for (k, v) in entry.entries {
                    if out[k] != nil { throw CELEvalError.general("insert failed: key \(k.debugText) already exists") }
                    try out.set(k, v)
                }
            }
            return .map(out)
        case .optMap, .optFlatMap:
            preconditionFailure("handled above")
        }
    }

    /// The iteration pairs of a range, read in place rather than copied out.
    enum RangeView {
        case list([CELValue], indexed: Bool)
        case map([CELValue], [CELValue])

        var count: Int {
            switch self {
            case .list(let l, _): l.count
            case .map(let k, _): k.count
            }
        }

        subscript(i: Int) -> (CELValue, CELValue) {
            switch self {
            case .list(let l, let indexed): (indexed ? .int(Int64(i)) : l[i], l[i])
            case .map(let k, let v): (k[i], v[i])
            }
        }
    }

    private func passes(_ c: CompiledComprehension) throws -> Bool {
        guard let f = c.filter else { return true }
        guard case .bool(let r) = try eval(f) else { throw CELEvalError.noOverload("filter") }
        return r
    }

    @inline(__always)
    private func bind(_ c: CompiledComprehension, _ a: CELValue, _ b: CELValue) {
        setLocal(c.slot, a)
        if c.twoVariables { setLocal(c.slot + 1, b) }
    }
}
