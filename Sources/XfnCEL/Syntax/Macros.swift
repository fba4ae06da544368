/// Expands CEL macros at parse time: `has`, `all`, `exists`, `exists_one`/`existsOne`, `map`,
/// `filter`, and the two-variable forms (`all(i, v, p)`, `transformList`, `transformMap`,
/// `transformMapEntry`). Anything else stays a call.
enum Macros {
    static func expandGlobal(name: String, args: [Expr], offset: Int, parser: Parser) throws(CELParseError) -> Expr {
        if name == "has" {
            guard args.count == 1 else { throw parser.macroError("has() takes exactly one argument", at: offset) }
            guard case .select(let operand, let field, false) = args[0].kind else {
                throw parser.macroError("invalid argument to has() macro", at: args[0].offset)
            }
            return Expr(kind: .presence(operand, field), offset: offset)
        }
        return Expr(kind: .call(target: nil, name: name, args: args), offset: offset)
    }

    static func expandReceiver(target: Expr, name: String, args: [Expr], offset: Int, parser: Parser)
        throws(CELParseError) -> Expr
    {
        func variable(_ e: Expr) throws(CELParseError) -> String {
            guard case .ident(let n) = e.kind, !n.isRootQualified, !n.isDotted else {
                throw parser.macroError("argument must be a simple name", at: e.offset)
            }
            return n
        }
        func make(_ kind: Comprehension.Kind, _ first: String, _ second: String?, _ body: Expr, _ filter: Expr? = nil)
            -> Expr
        {
            Expr(kind: .comprehension(Comprehension(
                kind: kind, range: target, first: first, second: second, body: body, filter: filter)),
                 offset: offset)
        }
        switch (name, args.count) {
        case ("all", 2): return make(.all, try variable(args[0]), nil, args[1])
        case ("all", 3): return try twoVar(.all, args, parser, make)
        case ("exists", 2): return make(.exists, try variable(args[0]), nil, args[1])
        case ("exists", 3): return try twoVar(.exists, args, parser, make)
        case ("exists_one", 2), ("existsOne", 2): return make(.existsOne, try variable(args[0]), nil, args[1])
        case ("exists_one", 3), ("existsOne", 3): return try twoVar(.existsOne, args, parser, make)
        case ("map", 2): return make(.map, try variable(args[0]), nil, args[1])
        case ("map", 3): return make(.map, try variable(args[0]), nil, args[2], args[1])
        case ("optMap", 2): return make(.optMap, try variable(args[0]), nil, args[1])
        case ("optFlatMap", 2): return make(.optFlatMap, try variable(args[0]), nil, args[1])
        case ("sortBy", 2):
            // `l.sortBy(x, key)` → `l.@sortByAssociatedKeys(l.map(x, key))`.
            let keys = make(.map, try variable(args[0]), nil, args[1])
            return Expr(kind: .call(target: target, name: "@sortByAssociatedKeys", args: [keys]), offset: offset)
        case ("filter", 2): return make(.filter, try variable(args[0]), nil, args[1])
        case ("transformList", 3): return try twoVar(.map, args, parser, make)
        case ("transformList", 4): return try twoVarFiltered(.map, args, parser, make)
        case ("transformMap", 3): return try twoVar(.transformMap, args, parser, make)
        case ("transformMap", 4): return try twoVarFiltered(.transformMap, args, parser, make)
        case ("transformMapEntry", 3): return try twoVar(.transformMapEntry, args, parser, make)
        case ("transformMapEntry", 4): return try twoVarFiltered(.transformMapEntry, args, parser, make)
        default:
            return Expr(kind: .call(target: target, name: name, args: args), offset: offset)
        }
    }

    private typealias Maker = (Comprehension.Kind, String, String?, Expr, Expr?) -> Expr

    private static func names(_ args: [Expr], _ parser: Parser) throws(CELParseError) -> (String, String) {
        guard case .ident(let a) = args[0].kind, !a.isDotted else {
            throw parser.macroError("argument must be a simple name", at: args[0].offset)
        }
        guard case .ident(let b) = args[1].kind, !b.isDotted else {
            throw parser.macroError("argument must be a simple name", at: args[1].offset)
        }
        guard a != b else { throw parser.macroError("duplicate variable name: \(a)", at: args[1].offset) }
        return (a, b)
    }

    private static func twoVar(_ kind: Comprehension.Kind, _ args: [Expr], _ parser: Parser, _ make: Maker)
        throws(CELParseError) -> Expr
    {
        let (a, b) = try names(args, parser)
        return make(kind, a, b, args[2], nil)
    }

    private static func twoVarFiltered(_ kind: Comprehension.Kind, _ args: [Expr], _ parser: Parser, _ make: Maker)
        throws(CELParseError) -> Expr
    {
        let (a, b) = try names(args, parser)
        return make(kind, a, b, args[3], args[2])
    }
}
