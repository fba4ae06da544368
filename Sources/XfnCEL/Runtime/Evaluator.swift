/// Walks a compiled `Node` tree. One evaluator serves one evaluation: it holds the comprehension
/// variables and the running cost so `CELProgram` stays immutable and shareable.
final class Evaluator {
    private let variables: [String: CELValue]
    private var locals: [CELValue]
    var cost: UInt64 = 0
    private let budget: UInt64

    /// Whether any activation key has a dot; if none does, dotted candidates are skipped cheaply.
    private let dottedVariables: Bool

    init(variables: [String: CELValue], slots: Int, budget: UInt64) {
        self.variables = variables
        self.dottedVariables = variables.keys.contains { $0.utf8.contains(UInt8(ascii: ".")) }
        self.locals = Array(repeating: .null, count: slots)
        self.budget = budget
    }

    @inline(__always)
    func charge(_ n: UInt64 = 1) throws {
        cost &+= n
        if cost > budget {
            throw CELEvalError(.costLimitExceeded, "operation cancelled: actual cost limit exceeded")
        }
    }

    /// Binds a comprehension variable. Iterations are paid for by the body's own nodes.
    func setLocal(_ slot: Int, _ value: CELValue) {
        locals[slot] = value
    }

    func eval(_ node: Node) throws -> CELValue {
        switch node {
        case .constant(let v):
            return v
        case .local(let slot):
            try charge()
            return locals[slot]
        case .name(let candidates, _):
            try charge()
            return try resolve(candidates)
        case .select(let operand, let field, let optional, _):
            try charge()
            return try select(try eval(operand), field, optional: optional)
        case .presence(let operand, let field):
            let v = try eval(operand)
            // Kubernetes makes presence tests free (cel-go `PresenceTestHasCost(false)`).
            if cost > 0 { cost -= 1 }
            return try presence(v, field)
        case .index(let a, let b, let optional, _):
            try charge()
            let container = try eval(a)
            return try index(container, try eval(b), optional: optional)
        case .call(let f, let argNodes, _):
            var args: [CELValue] = []
            args.reserveCapacity(argNodes.count)
            for a in argNodes { args.append(try eval(a)) }
            let result = try f.impl(args)
            try charge(Evaluator.callCost(f.cost, args, result))
            return result
        case .and(let a, let b):
            return try logical(a, b, decisive: false)
        case .or(let a, let b):
            return try logical(a, b, decisive: true)
        case .conditional(let c, let a, let b):
            guard case .bool(let cond) = try eval(c) else { throw CELEvalError.noOverload("_?_:_") }
            return try eval(cond ? a : b)
        case .list(let items, let optional):
            try charge(Evaluator.listCreateCost)
            var out: [CELValue] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                let v = try eval(item)
                if let optional, optional[i] {
                    guard case .optional(let inner) = v else {
                        throw CELEvalError.general("cannot unwrap a non-optional value in a list literal")
                    }
                    if let inner { out.append(inner) }
                } else {
                    out.append(v)
                }
            }
            return .list(out)
        case .map(let entries):
            try charge(Evaluator.mapCreateCost)
            var m = CELMap()
            for en in entries {
                let k = try eval(en.key)
                let v = try eval(en.value)
                if en.optional {
                    guard case .optional(let inner) = v else {
                        throw CELEvalError.general("cannot unwrap a non-optional value in a map literal")
                    }
                    if let inner { try m.insertNew(k, inner) }
                } else {
                    try m.insertNew(k, v)
                }
            }
            return .map(m)
        case .comprehension(let c):
            return try comprehension(c)
        case .fail(let e):
            throw e
        case .optionalOr(let a, let b, let unwrap):
            let v = try eval(a)
            guard case .optional(let inner) = v else {
                throw CELEvalError.noOverload(unwrap ? "orValue" : "or")
            }
            if let inner { return unwrap ? inner : v }
            let alt = try eval(b)
            if !unwrap {
                guard case .optional = alt else { throw CELEvalError.noOverload("or") }
            }
            return alt
        }
    }

    // Unit costs follow cel-go's runtime cost model: identifiers, selections, indexes and calls cost 1,
    // literals nothing, building a list 10 and a map 30; string and list work is charged per element.
    static let listCreateCost: UInt64 = 10
    static let mapCreateCost: UInt64 = 30

    static func size(_ v: CELValue) -> Int {
        switch v {
        case .string(let s): return UTF8Text.scalarCount(s)
        case .bytes(let b): return b.count
        case .list(let l): return l.count
        case .map(let m): return m.count
        case .optional(let o?): return size(o)
        default: return 1
        }
    }

    private static func tenth(_ n: Int) -> UInt64 { UInt64((n + 9) / 10) }

    /// Kubernetes' `traversalCost` (library/cost.go): note the truncation, unlike cel-go's ceilings.
    static func walkCost(_ v: CELValue) -> UInt64 {
        switch v {
        case .string(let s): return UInt64(s.utf8.count / 10)
        case .bytes(let b): return UInt64(b.count / 10)
        case .list(let l): return l.reduce(0) { $0 + walkCost($1) }
        case .map(let m): return zip(m.keys, m.values).reduce(0) { $0 + walkCost($1.0) + walkCost($1.1) }
        default: return 1
        }
    }

    static func callCost(_ kind: CELFunction.Cost, _ args: [CELValue], _ result: CELValue) -> UInt64 {
        switch kind {
        case .receiverWalk: return args.first.map(walkCost) ?? 1
        case .linearTwice: return args.isEmpty ? 1 : UInt64((size(args[0]) * 2 + 9) / 10)
        case .custom(let f): return f(args, result)
        case .constant: return 1
        case .linear: return args.isEmpty ? 1 : tenth(size(args[0]))
        case .compare: return args.count < 2 ? 1 : tenth(min(size(args[0]), size(args[1])))
        case .concat:
            switch (args.first, args.last) {
            case (.string?, .string?), (.bytes?, .bytes?): return tenth(size(args[0]) + size(args[1]))
            default: return 1
            }
        case .membership:
            if case .list(let l)? = args.last { return UInt64(l.count) }
            return 1
        case .regex:
            guard args.count >= 2 else { return 1 }
            return tenth(1 + size(args[0])) * UInt64((size(args[1]) + 3) / 4)
        case .substring:
            guard args.count >= 2 else { return 1 }
            return tenth(size(args[0])) * tenth(size(args[1]))
        }
    }

    private func resolve(_ candidates: [NameCandidate]) throws -> CELValue {
        for c in candidates {
            var v: CELValue
            if (!c.dotted || dottedVariables), let bound = variables[c.name] {
                v = bound
            } else if c.isTypeName, let t = CELType.byName[c.name] {
                v = .type(t)
            } else {
                continue
            }
            for field in c.rest {
                try charge()
                v = try select(v, field, optional: false)
            }
            return v
        }
        let name = candidates.first.map { ([$0.name] + $0.rest).joined(separator: ".") } ?? "?"
        throw CELEvalError(.unboundVariable, "no such attribute(s): \(name)")
    }

    func select(_ v: CELValue, _ field: String, optional: Bool) throws -> CELValue {
        switch v {
        case .map(let m):
            if let found = m[string: field] { return optional ? .optional(found) : found }
            if optional { return .optional(nil) }
            throw CELEvalError(.noSuchKey, "no such key: \(field)")
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            let r = try select(inner, field, optional: true)
            return r
        case .object(let o):
            if let fields = o as? any CELFieldAccess, let found = fields.field(field) {
                return optional ? .optional(found) : found
            }
            if optional { return .optional(nil) }
            throw CELEvalError(.noSuchField, "no such field: \(field)")
        default:
            throw CELEvalError.noOverload("_._")
        }
    }

    private func presence(_ v: CELValue, _ field: String) throws -> CELValue {
        switch v {
        case .map(let m): return .bool(m[string: field] != nil)
        case .optional(let inner):
            guard let inner else { return .bool(false) }
            return try presence(inner, field)
        case .object(let o):
            if let fields = o as? any CELFieldAccess { return .bool(fields.field(field) != nil) }
            throw CELEvalError.noOverload("has")
        default:
            throw CELEvalError.noOverload("has")
        }
    }

    func index(_ container: CELValue, _ key: CELValue, optional: Bool) throws -> CELValue {
        switch container {
        case .list(let l):
            let i: Int64
            switch key {
            case .int(let n): i = n
            case .uint(let u): i = u > UInt64(Int64.max) ? Int64.max : Int64(u)
            case .double(let d):
                guard let n = Int64(exactly: d) else { throw CELEvalError.general("invalid list index: \(d)") }
                i = n
            default: throw CELEvalError.noOverload("_[_]")
            }
            guard i >= 0, i < l.count else {
                if optional { return .optional(nil) }
                throw CELEvalError.general("index '\(i)' out of range in list size '\(l.count)'")
            }
            return optional ? .optional(l[Int(i)]) : l[Int(i)]
        case .map(let m):
            switch key {
            case .int, .uint, .double, .bool, .string: break
            default: throw CELEvalError.noOverload("_[_]")
            }
            if let found = m[key] { return optional ? .optional(found) : found }
            if optional { return .optional(nil) }
            throw CELEvalError(.noSuchKey, "no such key: \(key.debugText)")
        case .optional(let inner):
            guard let inner else { return .optional(nil) }
            return try index(inner, key, optional: true)
        default:
            throw CELEvalError.noOverload("_[_]")
        }
    }

    /// `&&` and `||`: a decisive operand wins even when the other errors, in either order.
    private func logical(_ a: Node, _ b: Node, decisive: Bool) throws -> CELValue {
        var firstError: (any Error)?
        do {
            let l = try eval(a)
            guard case .bool(let lb) = l else { throw CELEvalError.noOverload(decisive ? "_||_" : "_&&_") }
            if lb == decisive { return l }
        } catch let e as CELEvalError where e.kind == .costLimitExceeded {
            throw e
        } catch {
            firstError = error
        }
        let r = try eval(b)
        guard case .bool(let rb) = r else {
            throw firstError ?? CELEvalError.noOverload(decisive ? "_||_" : "_&&_")
        }
        if rb == decisive { return r }
        if let firstError { throw firstError }
        return r
    }
}
