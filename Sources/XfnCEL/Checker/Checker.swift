/// Static type checking over the parsed expression, in the spirit of cel-go's checker: every node
/// gets a type, calls must match a signature, declared object types reject unknown fields, and list
/// and map literals must be homogeneous (Kubernetes enables `HomogeneousAggregateLiterals`).
struct Checker {
    let declarations: [String: CELStaticType]
    let container: String
    let source: String
    let library: CELLibrary
    /// Kubernetes rejects list and map literals whose elements differ in type; plain CEL makes them `dyn`.
    var homogeneousLiterals = true
    private var scopes: [(String, CELStaticType)] = []
    /// Offsets of `==`, `!=` and `+` whose left operand is a keyed list, with its keys.
    private(set) var keyedOperators: [Int: [String]] = [:]

    /// A type not yet known, such as the element type of `[]` or of `optional.none()`; it takes the
    /// type of whatever it is joined with and reads as `dyn` in the end.
    static let free = CELStaticType.param("*")

    init(declarations: [String: CELStaticType], container: String, source: String, library: CELLibrary) {
        self.declarations = declarations
        self.container = container
        self.source = source
        self.library = library
    }

    private func error(_ reason: String, _ offset: Int) -> CELParseError {
        CELParseError(reason: reason, offset: offset, source: source, stage: .check)
    }

    private func local(_ name: String) -> CELStaticType? { scopes.last { $0.0 == name }?.1 }

    mutating func check(_ e: Expr) throws(CELParseError) -> CELStaticType {
        switch e.kind {
        case .literal(let v): return Checker.literalType(v)
        case .ident(let n):
            if !n.isRootQualified, let t = local(n) { return t }
            return try name([n], e.offset)
        case .select(let operand, let field, let optional):
            if !optional, let parts = qualified(e) { return try name(parts, e.offset) }
            let t = try check(operand)
            let r = try select(t, field, e.offset)
            if optional {
                if case .optional = r { return r }
                return .optional(r)
            }
            return r
        case .presence(let operand, let field):
            let t = try check(operand)
            _ = try select(t, field, e.offset)
            return .bool
        case .index(let a, let b, let optional):
            let r = try index(try check(a), try check(b), e.offset)
            if optional {
                if case .optional = r { return r }
                return .optional(r)
            }
            return r
        case .call(let target, let fn, let args):
            return try call(target: target, name: fn, args: args, e.offset)
        case .list(let items, let optional):
            var elem: CELStaticType?
            for (i, item) in items.enumerated() {
                var t = try check(item)
                if optional[i] {
                    guard case .optional(let inner) = t else {
                        if t == .dyn { continue }
                        throw error("optional list element must be an optional, got '\(t)'", item.offset)
                    }
                    t = inner
                }
                elem = try join(elem, t, "list", item.offset)
            }
            return .list(elem ?? Checker.free)
        case .map(let entries):
            var key: CELStaticType?
            var value: CELStaticType?
            for en in entries {
                let k = try check(en.key)
                switch k {
                case .int, .uint, .bool, .string, .dyn: break
                default: throw error("unsupported map key type: '\(k)'", en.key.offset)
                }
                var v = try check(en.value)
                if en.optional, case .optional(let inner) = v { v = inner }
                key = try join(key, k, "map key", en.key.offset)
                value = try join(value, v, "map value", en.value.offset)
            }
            return .map(key ?? Checker.free, value ?? Checker.free)
        case .message(let n, _):
            throw error("undeclared reference to '\(n)' (protobuf messages are not supported)", e.offset)
        case .and(let a, let b), .or(let a, let b):
            for x in [a, b] {
                let t = try check(x)
                guard assignable(.bool, t) else {
                    let op = if case .and = e.kind { "_&&_" } else { "_||_" }
                    throw error("found no matching overload for '\(op)' applied to '(\(t), bool)'", x.offset)
                }
            }
            return .bool
        case .conditional(let c, let a, let b):
            let ct = try check(c)
            guard assignable(.bool, ct) else {
                throw error("found no matching overload for '_?_:_' applied to '(\(ct), ...)'", c.offset)
            }
            return Checker.merge(try check(a), try check(b)) ?? .dyn
        case .comprehension(let c):
            return try comprehension(c, e.offset)
        }
    }

    static func literalType(_ v: CELValue) -> CELStaticType {
        switch v {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        default: .dyn
        }
    }

    private func qualified(_ e: Expr) -> [String]? {
        switch e.kind {
        case .ident(let n):
            if !n.isRootQualified, local(n) != nil { return nil }
            return [n]
        case .select(let operand, let field, false):
            guard var parts = qualified(operand) else { return nil }
            parts.append(field)
            return parts
        default: return nil
        }
    }

    private var prefixes: [String] {
        guard !container.isEmpty else { return [""] }
        var out: [String] = []
        var parts = container.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            out.append(parts.joined(separator: ".") + ".")
            parts.removeLast()
        }
        return out + [""]
    }

    /// Resolves a dotted name against declarations (longest match first), then type names.
    private mutating func name(_ parts: [String], _ offset: Int) throws(CELParseError) -> CELStaticType {
        var p = parts
        let rooted = p[0].isRootQualified
        if rooted { p[0].removeFirst() }
        for k in stride(from: p.count, through: 1, by: -1) {
            let head = p[0..<k].joined(separator: ".")
            for prefix in rooted ? [""] : prefixes {
                var t: CELStaticType
                if let d = declarations[prefix + head] {
                    t = d
                } else if let type = CELType.byName[prefix + head] {
                    t = .type(CELStaticType.named(type))
                } else {
                    continue
                }
                for field in p[k...] { t = try select(t, field, offset) }
                return t
            }
        }
        throw error("undeclared reference to '\(p.joined(separator: "."))' (in container '\(container)')", offset)
    }

    private func select(_ t: CELStaticType, _ field: String, _ offset: Int) throws(CELParseError) -> CELStaticType {
        switch t.plain {
        case .dyn, .param: return .dyn
        case .map(let k, let v):
            guard assignable(k, .string) else { throw error("type '\(t)' does not support field selection", offset) }
            return v
        case .object(_, let fields):
            guard let f = fields[field] else { throw error("undefined field '\(field)'", offset) }
            return f
        case .optional(let inner):
            let r = try select(inner, field, offset)
            if case .optional = r { return r }
            return .optional(r)
        default:
            throw error("type '\(t)' does not support field selection", offset)
        }
    }

    private func index(_ t: CELStaticType, _ i: CELStaticType, _ offset: Int) throws(CELParseError) -> CELStaticType {
        switch t.plain {
        case .dyn, .param: return .dyn
        case .list(let e):
            guard [.int, .uint, .dyn].contains(i) else {
                throw error("found no matching overload for '_[_]' applied to '(\(t), \(i))'", offset)
            }
            return e
        case .map(let k, let v):
            guard assignable(k, i) || (isNumber(k) && isNumber(i)) else {
                throw error("found no matching overload for '_[_]' applied to '(\(t), \(i))'", offset)
            }
            return v
        case .optional(let inner):
            let r = try index(inner, i, offset)
            if case .optional = r { return r }
            return .optional(r)
        default:
            throw error("found no matching overload for '_[_]' applied to '(\(t), \(i))'", offset)
        }
    }

    private func isNumber(_ t: CELStaticType) -> Bool { t == .int || t == .uint || t == .double || t == .dyn }

    /// Joins element types of a literal: free types take the other side, `dyn` wins over concrete
    /// types, and different concrete types are an error in homogeneous mode or `dyn` otherwise.
    private func join(_ a: CELStaticType?, _ b: CELStaticType, _ what: String, _ offset: Int) throws(CELParseError)
        -> CELStaticType
    {
        guard let a else { return b }
        if homogeneousLiterals {
            // cel-go's validator wants equivalent types: `dyn`, `null` and `int` are all different;
            // only types still unknown (`[]`, `optional.none()`) adapt.
            guard Checker.equivalent(a, b), let m = Checker.merge(a, b) else {
                throw error("expected type '\(Checker.finalize(a))' but found '\(Checker.finalize(b))'", offset)
            }
            return m
        }
        return Checker.merge(a, b) ?? .dyn
    }

    static func equivalent(_ a: CELStaticType, _ b: CELStaticType) -> Bool {
        if a == free || b == free { return true }
        switch (a.plain, b.plain) {
        case (.list(let x), .list(let y)), (.optional(let x), .optional(let y)), (.type(let x), .type(let y)):
            return equivalent(x, y)
        case (.map(let k1, let v1), .map(let k2, let v2)): return equivalent(k1, k2) && equivalent(v1, v2)
        default: return a.plain == b.plain
        }
    }

    /// The common type of `a` and `b`, or nil when they are different concrete types.
    static func merge(_ a: CELStaticType, _ b: CELStaticType) -> CELStaticType? {
        if a == b { return a }
        let a = a.plain
        let b = b.plain
        if a == free || a == .null { return b }
        if b == free || b == .null { return a }
        if a == b { return a }
        if a == .dyn || b == .dyn { return .dyn }
        switch (a, b) {
        case (.list(let x), .list(let y)): return merge(x, y).map { .list($0) } ?? .list(.dyn)
        case (.map(let k1, let v1), .map(let k2, let v2)):
            return .map(merge(k1, k2) ?? .dyn, merge(v1, v2) ?? .dyn)
        case (.optional(let x), .optional(let y)): return .optional(merge(x, y) ?? .dyn)
        case (.type(let x), .type(let y)): return .type(merge(x, y) ?? .dyn)
        default: return nil
        }
    }

    private func assignable(_ param: CELStaticType, _ arg: CELStaticType) -> Bool {
        var s: [String: CELStaticType] = [:]
        return unify(param, arg, &s)
    }

    /// Matches an argument type against a parameter type, binding type parameters.
    func unify(_ param: CELStaticType, _ arg: CELStaticType, _ s: inout [String: CELStaticType]) -> Bool {
        let param = param.plain
        let arg = arg.plain
        // Free types (from literals) match anything and never bind.
        if param == Checker.free || arg == Checker.free { return true }
        if case .param(let n) = param {
            guard let bound = s[n] else {
                s[n] = arg
                return true
            }
            if bound == .dyn || arg == .dyn || bound == .null || arg == .null { return true }
            var inner = s
            if unify(bound, arg, &inner) {
                s = inner
                return true
            }
            return false
        }
        if param == .dyn || arg == .dyn { return true }
        if case .param = arg { return true }
        switch (param, arg) {
        case (.list(let p), .list(let a)): return unify(p, a, &s)
        case (.map(let pk, let pv), .map(let ak, let av)): return unify(pk, ak, &s) && unify(pv, av, &s)
        case (.optional(let p), .optional(let a)): return unify(p, a, &s)
        case (.type, .type): return true
        case (.object(let a, _), .object(let b, _)): return a == b
        case (.object, .map), (.map, .object): return true
        case (_, .null):
            switch param {
            case .object, .opaque, .timestamp, .duration, .null, .list, .map, .optional: return true
            default: return false
            }
        default: return param == arg
        }
    }

    /// Replaces types that stayed free with `dyn`, for reporting.
    static func finalize(_ t: CELStaticType) -> CELStaticType {
        switch t {
        case .param: return .dyn
        case .list(let e): return .list(finalize(e))
        case .keyedList(let e, let keys): return .keyedList(finalize(e), keys: keys)
        case .map(let k, let v): return .map(finalize(k), finalize(v))
        case .optional(let e): return .optional(finalize(e))
        case .type(let e): return .type(finalize(e))
        default: return t
        }
    }

    static func resolve(_ t: CELStaticType, _ s: [String: CELStaticType]) -> CELStaticType {
        switch t {
        case .param(let n): return s[n].map { $0 == free ? $0 : resolve($0, [:]) } ?? free
        case .list(let e): return .list(resolve(e, s))
        case .map(let k, let v): return .map(resolve(k, s), resolve(v, s))
        case .optional(let e): return .optional(resolve(e, s))
        case .type(let e): return .type(resolve(e, s))
        default: return t
        }
    }

    private mutating func call(target: Expr?, name fn: String, args: [Expr], _ offset: Int) throws(CELParseError)
        -> CELStaticType
    {
        var bare = fn.isRootQualified ? String(fn.dropFirst()) : fn
        var receiver = target
        if let t = target, let parts = qualified(t) {
            let qualifiedName = (parts + [fn]).joined(separator: ".")
            let q = qualifiedName.isRootQualified ? String(qualifiedName.dropFirst()) : qualifiedName
            if prefixes.contains(where: { library.globals[$0 + q] != nil }) {
                bare = q
                receiver = nil
            }
        }
        if receiver == nil, !prefixes.contains(where: { library.globals[$0 + bare] != nil }) {
            throw error("undeclared reference to '\(bare)' (in container '\(container)')", offset)
        }
        if let r = receiver, (bare == "or" || bare == "orValue"), args.count == 1 {
            let rt = try check(r)
            let at = try check(args[0])
            guard case .optional(let inner) = rt else {
                if rt == .dyn { return bare == "or" ? .optional(.dyn) : .dyn }
                throw error("found no matching overload for '\(bare)' applied to '\(rt).(\(at))'", offset)
            }
            return bare == "or" ? (at == rt ? rt : .optional(.dyn)) : (at == inner ? inner : .dyn)
        }
        try validateLiteral(bare, receiver: receiver != nil, args: args)
        var types: [CELStaticType] = []
        if let r = receiver { types.append(try check(r)) }
        // cel-go exempts `format`'s argument list from the homogeneous-literal rule.
        let saved = homogeneousLiterals
        if bare == "format" { homogeneousLiterals = false }
        defer { homogeneousLiterals = saved }
        for a in args { types.append(try check(a)) }
        let key = bare.split(separator: ".").count > 1 && library.globals[bare] == nil
            ? String(bare.split(separator: ".").last!) : bare
        guard let sigs = Signatures.table[key] ?? Signatures.table[bare] else { return .dyn }
        if receiver == nil, ["_==_", "_!=_", "_+_"].contains(bare), case .keyedList(_, let keys) = types[0] {
            keyedOperators[offset] = keys
            if bare == "_+_" { return types[0] }
        }
        var results: [CELStaticType] = []
        for sig in sigs where sig.receiver == (receiver != nil) && sig.params.count == types.count {
            var s: [String: CELStaticType] = [:]
            if zip(sig.params, types).allSatisfy({ unify($0.0, $0.1, &s) }) {
                results.append(Checker.resolve(sig.result, s))
            }
        }
        guard let first = results.first else {
            let shown = receiver != nil
                ? "\(types[0]).(\(types.dropFirst().map(\.description).joined(separator: ", ")))"
                : "(\(types.map(\.description).joined(separator: ", ")))"
            throw error("found no matching overload for '\(bare)' applied to '\(shown)'", offset)
        }
        return results.allSatisfy { $0 == first } ? first : .dyn
    }

    /// Kubernetes' literal validators: `duration('…')`, `timestamp('…')` and `matches('…')` with a
    /// constant argument must be valid at compile time.
    private func validateLiteral(_ fn: String, receiver: Bool, args: [Expr]) throws(CELParseError) {
        guard let first = args.first, case .literal(.string(let text)) = first.kind else { return }
        let valid: Bool
        switch (fn, receiver) {
        case ("duration", false): valid = (try? TimeFormat.parseDuration(text)) != nil
        case ("timestamp", false): valid = (try? TimeFormat.parseTimestamp(text)) != nil
        case ("matches", true): valid = (try? CELRegex(text)) != nil
        default: return
        }
        if !valid { throw error("invalid \(fn) argument", first.offset) }
    }

    private mutating func comprehension(_ c: Comprehension, _ offset: Int) throws(CELParseError) -> CELStaticType {
        let range = try check(c.range).plain
        var first: CELStaticType = .dyn
        var second: CELStaticType = .dyn
        switch range {
        case .list(let e):
            if c.second != nil { first = .int; second = e } else { first = e }
        case .map(let k, let v):
            first = k
            second = v
        case .optional(let inner) where c.kind == .optMap || c.kind == .optFlatMap:
            first = inner
        case .dyn, .param: break
        default:
            throw error("expression of type '\(range)' cannot be range of a comprehension (must be list, map, or dynamic)", c.range.offset)
        }
        scopes.append((c.first, first))
        if let s = c.second { scopes.append((s, second)) }
        defer { scopes.removeLast(c.second == nil ? 1 : 2) }
        if let f = c.filter {
            let ft = try check(f)
            guard assignable(.bool, ft) else { throw error("expected type 'bool' but found '\(ft)'", f.offset) }
        }
        let body = try check(c.body)
        switch c.kind {
        case .all, .exists, .existsOne, .filter:
            guard assignable(.bool, body) else { throw error("expected type 'bool' but found '\(body)'", c.body.offset) }
            if c.kind == .filter {
                if case .map(let k, _) = range { return .list(k) }
                return range == .dyn ? .list(.dyn) : range
            }
            return .bool
        case .map: return .list(body)
        case .transformMap:
            if case .map(let k, _) = range { return .map(k, body) }
            return .map(.dyn, body)
        case .transformMapEntry:
            if case .map = body { return body }
            return .map(.dyn, .dyn)
        case .optMap: return .optional(body)
        case .optFlatMap:
            if case .optional = body { return body }
            if body == .dyn { return .optional(.dyn) }
            throw error("optFlatMap expects an optional result, got '\(body)'", c.body.offset)
        }
    }
}
