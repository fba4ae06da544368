/// Recursive-descent parser for the CEL grammar (cel-spec langdef "Syntax"). Precedence, lowest first:
/// `?:`, `||`, `&&`, relations and `in`, `+ -`, `* / %`, unary `! -`, member/index/call.
struct Parser {
    private var tokens: [Token]
    private var pos = 0
    private let lexer: Lexer
    private var depth = 0
    static let maxDepth = 250

    init(_ source: String) throws(CELParseError) {
        var lexer = Lexer(source)
        self.lexer = lexer
        self.tokens = try lexer.tokenize()
    }

    /// cel-go's default limit on the size of an expression.
    static let maxCodePoints = 100_000

    static func parse(_ source: String) throws(CELParseError) -> Expr {
        let size = UTF8Text.scalarCount(source)
        if size > maxCodePoints {
            throw CELParseError(reason: "expression code point size exceeds limit: size: \(size), limit \(maxCodePoints)",
                                offset: 0, source: source)
        }
        var p = try Parser(source)
        let e = try p.expr()
        guard p.current.kind == .eof else { throw p.unexpected() }
        return e
    }

    private var current: Token { tokens[pos] }

    private func error(_ reason: String, at offset: Int? = nil) -> CELParseError {
        lexer.error(reason, at: offset ?? current.offset)
    }

    private func unexpected() -> CELParseError {
        switch current.kind {
        case .eof: error("unexpected end of input")
        case .ident(let n) where Lexer.reserved.contains(n): error("reserved identifier: \(n)")
        default: error("unexpected token")
        }
    }

    private mutating func accept(_ p: String) -> Bool {
        if current.isPunct(p) { pos += 1; return true }
        return false
    }

    private mutating func expect(_ p: String) throws(CELParseError) {
        guard accept(p) else {
            if current.kind == .eof { throw error("unexpected end of input, expected '\(p)'") }
            throw error("expected '\(p)'")
        }
    }

    /// Each operator in a left-associative chain deepens the tree by one level; count it like nesting
    /// so that evaluation can never recurse deeper than `maxDepth`.
    private mutating func deepen(_ extra: inout Int) throws(CELParseError) {
        extra += 1
        if depth + extra > Parser.maxDepth {
            throw error("expression nesting exceeds limit of \(Parser.maxDepth)")
        }
    }

    private mutating func enter() throws(CELParseError) {
        depth += 1
        if depth > Parser.maxDepth { throw error("expression nesting exceeds limit of \(Parser.maxDepth)") }
    }

    mutating func expr() throws(CELParseError) -> Expr {
        try enter()
        defer { depth -= 1 }
        let cond = try orExpr()
        if current.isPunct("?") {
            let at = current.offset
            pos += 1
            let a = try orExpr()
            try expect(":")
            let b = try expr()
            return Expr(kind: .conditional(cond, a, b), offset: at)
        }
        return cond
    }

    private mutating func orExpr() throws(CELParseError) -> Expr {
        var lhs = try andExpr()
        var extra = 0
        while current.isPunct("||") {
            try deepen(&extra)
            let at = current.offset
            pos += 1
            lhs = Expr(kind: .or(lhs, try andExpr()), offset: at)
        }
        return lhs
    }

    private mutating func andExpr() throws(CELParseError) -> Expr {
        var lhs = try relation()
        var extra = 0
        while current.isPunct("&&") {
            try deepen(&extra)
            let at = current.offset
            pos += 1
            lhs = Expr(kind: .and(lhs, try relation()), offset: at)
        }
        return lhs
    }

    private static let relOps: [String: String] = [
        "==": "_==_", "!=": "_!=_", "<": "_<_", "<=": "_<=_", ">": "_>_", ">=": "_>=_", "in": "@in",
    ]

    private mutating func relation() throws(CELParseError) -> Expr {
        var lhs = try addition()
        var extra = 0
        while case .punct(let p) = current.kind, let fn = Parser.relOps[p] {
            try deepen(&extra)
            let at = current.offset
            pos += 1
            let rhs = try addition()
            lhs = Expr(kind: .call(target: nil, name: fn, args: [lhs, rhs]), offset: at)
        }
        return lhs
    }

    private mutating func addition() throws(CELParseError) -> Expr {
        var lhs = try multiplication()
        var extra = 0
        while current.isPunct("+") || current.isPunct("-") {
            try deepen(&extra)
            let fn = current.isPunct("+") ? "_+_" : "_-_"
            let at = current.offset
            pos += 1
            lhs = Expr(kind: .call(target: nil, name: fn, args: [lhs, try multiplication()]), offset: at)
        }
        return lhs
    }

    private mutating func multiplication() throws(CELParseError) -> Expr {
        var lhs = try unary()
        var extra = 0
        while current.isPunct("*") || current.isPunct("/") || current.isPunct("%") {
            try deepen(&extra)
            let fn = current.isPunct("*") ? "_*_" : current.isPunct("/") ? "_/_" : "_%_"
            let at = current.offset
            pos += 1
            lhs = Expr(kind: .call(target: nil, name: fn, args: [lhs, try unary()]), offset: at)
        }
        return lhs
    }

    private mutating func unary() throws(CELParseError) -> Expr {
        let at = current.offset
        if current.isPunct("!") {
            var n = 0
            while accept("!") { n += 1 }
            let operand = try member()
            // As in cel-go, an even run of `!` cancels out without a call.
            return n % 2 == 0 ? operand : Expr(kind: .call(target: nil, name: "!_", args: [operand]), offset: at)
        }
        if current.isPunct("-") {
            var n = 0
            while accept("-") { n += 1 }
            var operand: Expr
            // The last minus belongs to a numeric literal, so the most negative int64 is writable.
            switch current.kind {
            case .int(let v):
                operand = Expr(kind: .literal(.int(-v)), offset: current.offset)
                pos += 1
                n -= 1
                operand = try memberSuffix(operand)
            case .intOverflow(let text):
                guard text == "9223372036854775808" || text.lowercased() == "0x8000000000000000" else {
                    throw error("integer literal out of range")
                }
                operand = Expr(kind: .literal(.int(Int64.min)), offset: current.offset)
                pos += 1
                n -= 1
                operand = try memberSuffix(operand)
            case .double(let v):
                operand = Expr(kind: .literal(.double(-v)), offset: current.offset)
                pos += 1
                n -= 1
                operand = try memberSuffix(operand)
            default:
                operand = try member()
            }
            return n % 2 == 0 ? operand : Expr(kind: .call(target: nil, name: "-_", args: [operand]), offset: at)
        }
        return try member()
    }

    private mutating func member() throws(CELParseError) -> Expr {
        try memberSuffix(try primary())
    }

    private mutating func memberSuffix(_ base: Expr) throws(CELParseError) -> Expr {
        var e = base
        var extra = 0
        while true {
            let at = current.offset
            if current.isPunct(".") || current.isPunct(".?") || current.isPunct("[") || current.isPunct("[?") {
                try deepen(&extra)
            }
            if accept(".") || current.isPunct(".?") {
                let optional = current.isPunct(".?")
                if optional { pos += 1 }
                let name: String
                var quoted = false
                switch current.kind {
                case .ident(let n):
                    // Reserved words are allowed after a dot, as field and method names.
                    name = n
                case .quotedIdent(let n):
                    name = n
                    quoted = true
                case .punct(let p) where ["true", "false", "null", "in"].contains(p):
                    throw error("keyword cannot be a field name: \(p)")
                default:
                    throw error("expected field name after '.'")
                }
                pos += 1
                if !optional, !quoted, current.isPunct("(") {
                    pos += 1
                    let args = try exprList(close: ")")
                    e = try Macros.expandReceiver(target: e, name: name, args: args, offset: at, parser: self)
                } else {
                    e = Expr(kind: .select(e, name, optional: optional), offset: at)
                }
            } else if accept("[") || current.isPunct("[?") {
                let optional = current.isPunct("[?")
                if optional { pos += 1 }
                let idx = try expr()
                try expect("]")
                e = Expr(kind: .index(e, idx, optional: optional), offset: at)
            } else {
                return e
            }
        }
    }

    private mutating func primary() throws(CELParseError) -> Expr {
        try enter()
        defer { depth -= 1 }
        let tok = current
        let at = tok.offset
        switch tok.kind {
        case .int(let v): pos += 1; return Expr(kind: .literal(.int(v)), offset: at)
        case .intOverflow: throw error("integer literal out of range")
        case .uint(let v): pos += 1; return Expr(kind: .literal(.uint(v)), offset: at)
        case .double(let v): pos += 1; return Expr(kind: .literal(.double(v)), offset: at)
        case .string(let s): pos += 1; return Expr(kind: .literal(.string(s)), offset: at)
        case .bytes(let b): pos += 1; return Expr(kind: .literal(.bytes(b)), offset: at)
        case .punct("true"): pos += 1; return Expr(kind: .literal(.bool(true)), offset: at)
        case .punct("false"): pos += 1; return Expr(kind: .literal(.bool(false)), offset: at)
        case .punct("null"): pos += 1; return Expr(kind: .literal(.null), offset: at)
        case .punct("("):
            pos += 1
            let e = try expr()
            try expect(")")
            return e
        case .punct("["), .punct("[?"):
            // The lexer reads `[?` as one token, which here opens a list whose first element is optional.
            var firstOptional = tok.isPunct("[?")
            pos += 1
            var items: [Expr] = []
            var optional: [Bool] = []
            while !current.isPunct("]") {
                optional.append(accept("?") || firstOptional)
                firstOptional = false
                items.append(try expr())
                if !accept(",") { break }
            }
            try expect("]")
            return Expr(kind: .list(items, optional: optional), offset: at)
        case .punct("{"):
            pos += 1
            var entries: [Expr.MapEntry] = []
            while !current.isPunct("}") {
                let opt = accept("?")
                let k = try expr()
                try expect(":")
                let v = try expr()
                entries.append(.init(key: k, value: v, optional: opt))
                if !accept(",") { break }
            }
            try expect("}")
            return Expr(kind: .map(entries), offset: at)
        case .punct("."), .ident:
            let leadingDot = accept(".")
            guard case .ident(let name) = current.kind else { throw error("expected identifier") }
            if Lexer.reserved.contains(name) { throw error("reserved identifier: \(name)") }
            pos += 1
            if current.isPunct("(") {
                pos += 1
                let args = try exprList(close: ")")
                let fn = leadingDot ? "." + name : name
                return try Macros.expandGlobal(name: fn, args: args, offset: at, parser: self)
            }
            var qualified = (leadingDot ? "." : "") + name
            // A message literal is a qualified name followed by `{`; look ahead without consuming.
            var look = pos
            var parts = [qualified]
            while tokens[look].isPunct("."), case .ident(let n) = tokens[look + 1].kind {
                parts.append(n)
                look += 2
            }
            if tokens[look].isPunct("{") {
                qualified = parts.joined(separator: ".")
                pos = look + 1
                var fields: [Expr.FieldInit] = []
                while !current.isPunct("}") {
                    let opt = accept("?")
                    let fname: String
                    switch current.kind {
                    case .ident(let n): fname = n
                    case .quotedIdent(let n): fname = n
                    default: throw error("expected field name")
                    }
                    pos += 1
                    try expect(":")
                    fields.append(.init(name: fname, value: try expr(), optional: opt))
                    if !accept(",") { break }
                }
                try expect("}")
                return Expr(kind: .message(name: qualified, fields: fields), offset: at)
            }
            return Expr(kind: .ident(qualified), offset: at)
        case .quotedIdent:
            throw error("quoted identifiers are only allowed as field names")
        case .eof:
            throw error("unexpected end of input")
        default:
            throw unexpected()
        }
    }

    private mutating func exprList(close: String) throws(CELParseError) -> [Expr] {
        var args: [Expr] = []
        while !current.isPunct(close) {
            args.append(try expr())
            if !accept(",") { break }
        }
        try expect(close)
        return args
    }

    func macroError(_ reason: String, at offset: Int) -> CELParseError { lexer.error(reason, at: offset) }
}
