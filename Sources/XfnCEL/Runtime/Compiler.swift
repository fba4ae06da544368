/// Turns a parsed expression into a `Node` tree: binds comprehension variables to slots, expands
/// dotted names into candidate variable names (honouring the container), and binds functions.
struct Compiler {
    let library: CELLibrary
    let container: String
    let source: String
    /// Report unknown functions when called rather than at compile time (as cel-go does without its
    /// checker); `||` and `&&` can then absorb the error.
    let deferUnknownFunctions: Bool
    /// When known, the variables an activation will bind: other names are compile errors, and name
    /// candidates that cannot match are dropped so evaluation tries fewer lookups.
    var variables: Set<String>?
    /// From the checker: `==`, `!=` and `+` calls (by offset) on Kubernetes set and map lists.
    var keyedOperators: [Int: [String]] = [:]
    private var scopes: [(name: String, slot: Int)] = []
    /// First segments of the global names the expression mentions (`self`, `oldSelf`, …).
    private(set) var referencedNames: Set<String> = []
    private var nextSlot = 0
    private(set) var maxSlots = 0

    init(library: CELLibrary, container: String, source: String, deferUnknownFunctions: Bool = false) {
        self.deferUnknownFunctions = deferUnknownFunctions
        self.library = library
        self.container = container
        self.source = source
    }

    private func error(_ reason: String, _ offset: Int) -> CELParseError {
        CELParseError(reason: reason, offset: offset, source: source)
    }

    private func local(_ name: String) -> Int? {
        scopes.last(where: { $0.name == name })?.slot
    }

    /// The dotted parts when `e` is a plain name chain such as `a.b.c` (no locals involved).
    private func qualifiedParts(_ e: Expr) -> [String]? {
        switch e.kind {
        case .ident(let n):
            if !n.isRootQualified, local(n) != nil { return nil }
            return [n]
        case .select(let operand, let field, false):
            guard var parts = qualifiedParts(operand) else { return nil }
            parts.append(field)
            return parts
        default:
            return nil
        }
    }

    /// Container prefixes from longest to the root, e.g. `a.b` gives `a.b.`, `a.`, ``.
    private var prefixes: [String] {
        guard !container.isEmpty else { return [""] }
        var out: [String] = []
        var parts = container.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            out.append(parts.joined(separator: ".") + ".")
            parts.removeLast()
        }
        out.append("")
        return out
    }

    /// Candidates for a dotted name, pruned to declared variables and type names when known.
    private mutating func resolvedName(_ parts: [String], offset: Int) throws(CELParseError) -> Node {
        referencedNames.insert(parts[0].isRootQualified ? String(parts[0].dropFirst()) : parts[0])
        let all = candidates(parts)
        guard let variables else { return .name(all, offset: offset) }
        let usable = all.filter { variables.contains($0.name) || CELType.byName[$0.name] != nil }
        guard !usable.isEmpty else {
            let name = parts.joined(separator: ".")
            throw error("undeclared reference to '\(name)' (in container '\(container)')", offset)
        }
        return .name(usable, offset: offset)
    }

    private func candidates(_ parts: [String]) -> [NameCandidate] {
        var parts = parts
        var rooted = false
        if parts[0].isRootQualified {
            rooted = true
            parts[0].removeFirst()
        }
        var out: [NameCandidate] = []
        for k in stride(from: parts.count, through: 1, by: -1) {
            let head = parts[0..<k].joined(separator: ".")
            for prefix in rooted ? [""] : prefixes {
                out.append(NameCandidate(name: prefix + head, rest: Array(parts[k...])))
            }
        }
        return out
    }

    mutating func compile(_ e: Expr) throws(CELParseError) -> Node {
        switch e.kind {
        case .literal(let v):
            return .constant(v)
        case .ident(let n):
            if !n.isRootQualified, let slot = local(n) { return .local(slot) }
            return try resolvedName([n], offset: e.offset)
        case .select(let operand, let field, let optional):
            if !optional, let parts = qualifiedParts(e) {
                return try resolvedName(parts, offset: e.offset)
            }
            return .select(try compile(operand), field, optional: optional, offset: e.offset)
        case .presence(let operand, let field):
            return .presence(try compile(operand), field)
        case .index(let a, let b, let optional):
            return .index(try compile(a), try compile(b), optional: optional, offset: e.offset)
        case .call(let target, let name, let args):
            return try compileCall(target: target, name: name, args: args, offset: e.offset)
        case .list(let items, let optional):
            var nodes: [Node] = []
            for i in items { nodes.append(try compile(i)) }
            // Literals made only of constants are built once, as cel-go's optimiser does (and then
            // cost nothing to evaluate).
            if !optional.contains(true) {
                let constants = nodes.compactMap { if case .constant(let v) = $0 { v } else { nil } }
                if constants.count == nodes.count { return .constant(.list(constants)) }
            }
            return .list(nodes, optional: optional.contains(true) ? optional : nil)
        case .map(let entries):
            var out: [(key: Node, value: Node, optional: Bool)] = []
            for en in entries { out.append((try compile(en.key), try compile(en.value), en.optional)) }
            var folded = CELMap()
            var foldable = true
            for en in out where foldable {
                guard !en.optional, case .constant(let k) = en.key, case .constant(let v) = en.value,
                      (try? folded.insertNew(k, v)) != nil
                else {
                    // Invalid or repeated keys keep the runtime node so the error surfaces when evaluated.
                    foldable = false
                    continue
                }
            }
            if foldable { return .constant(.map(folded)) }
            return .map(out)
        case .message(let name, let fields):
            for f in fields { _ = try compile(f.value) }
            return .fail(.general("unknown type: \(name) (protobuf messages are not supported)"))
        case .and(let a, let b):
            return .and(try compile(a), try compile(b))
        case .or(let a, let b):
            return .or(try compile(a), try compile(b))
        case .conditional(let c, let a, let b):
            return .conditional(try compile(c), try compile(a), try compile(b))
        case .comprehension(let c):
            let range = try compile(c.range)
            let slot = nextSlot
            scopes.append((c.first, slot))
            if let second = c.second { scopes.append((second, slot + 1)) }
            nextSlot += c.second == nil ? 1 : 2
            maxSlots = max(maxSlots, nextSlot)
            defer {
                scopes.removeLast(c.second == nil ? 1 : 2)
                nextSlot = slot
            }
            let body = try compile(c.body)
            let filter: Node? = if let f = c.filter { try compile(f) } else { nil }
            return .comprehension(CompiledComprehension(
                kind: c.kind, range: range, slot: slot, twoVariables: c.second != nil, body: body, filter: filter))
        }
    }

    private mutating func compileCall(target: Expr?, name: String, args: [Expr], offset: Int) throws(CELParseError)
        -> Node
    {
        var argNodes: [Node] = []
        for a in args { argNodes.append(try compile(a)) }
        if target == nil, let keys = keyedOperators[offset], let f = KeyedLists.function(name, keys: keys) {
            return .call(f, argNodes, offset: offset)
        }
        guard let target else {
            let bare = name.isRootQualified ? String(name.dropFirst()) : name
            if let f = resolveGlobal(bare, rooted: name.isRootQualified) { return .call(f, argNodes, offset: offset) }
            if deferUnknownFunctions { return .fail(CELEvalError.noOverload(bare)) }
            throw error("undeclared reference to '\(bare)' (in container '\(container)')", offset)
        }
        // `ns.f(x)` is a namespaced global when `ns.f` names one and `ns` is not a local variable.
        if let parts = qualifiedParts(target) {
            var p = parts
            let rooted = p[0].isRootQualified
            if rooted { p[0].removeFirst() }
            if let f = resolveGlobal((p + [name]).joined(separator: "."), rooted: rooted) {
                return .call(f, argNodes, offset: offset)
            }
        }
        if (name == "or" || name == "orValue"), argNodes.count == 1 {
            return .optionalOr(try compile(target), argNodes[0], unwrap: name == "orValue")
        }
        guard let f = library.receivers[name] else {
            if deferUnknownFunctions { return .fail(CELEvalError.noOverload(name)) }
            throw error("undeclared reference to '\(name)' (in container '\(container)')", offset)
        }
        return .call(f, [try compile(target)] + argNodes, offset: offset)
    }

    private func resolveGlobal(_ name: String, rooted: Bool) -> CELFunction? {
        for prefix in rooted ? [""] : prefixes {
            if let f = library.globals[prefix + name] { return f }
        }
        return nil
    }
}
