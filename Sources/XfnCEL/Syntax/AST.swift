/// The parsed form of an expression, before names are resolved. Macros are already expanded into
/// `comprehension` and `presence` nodes, so the tree mirrors what the evaluator does.
struct Expr: Sendable {
    var kind: Kind
    /// UTF-8 byte offset of the token that starts this node, for error messages.
    var offset: Int

    indirect enum Kind: Sendable {
        case literal(CELValue)
        case ident(String)
        /// `a.b`, or `a.?b` when `optional` is set.
        case select(Expr, String, optional: Bool)
        /// `has(a.b)`.
        case presence(Expr, String)
        /// `a[b]`, or `a[?b]`.
        case index(Expr, Expr, optional: Bool)
        /// A global call (`f(x)`) when `target` is nil, else a receiver call (`x.f(y)`).
        case call(target: Expr?, name: String, args: [Expr])
        case list([Expr], optional: [Bool])
        case map([MapEntry])
        case message(name: String, fields: [FieldInit])
        case and(Expr, Expr)
        case or(Expr, Expr)
        case conditional(Expr, Expr, Expr)
        case comprehension(Comprehension)
    }

    struct MapEntry: Sendable {
        var key: Expr
        var value: Expr
        var optional: Bool
    }

    struct FieldInit: Sendable {
        var name: String
        var value: Expr
        var optional: Bool
    }
}

/// The macros that iterate; each is evaluated directly rather than through a general fold so the
/// common cases stay cheap.
struct Comprehension: Sendable {
    enum Kind: Sendable {
        case all, exists, existsOne
        /// `map(x, t)` or `map(x, p, t)`; `transformList(i, v, [p,] t)`.
        case map
        case filter
        /// `transformMap(k, v, [p,] t)`.
        case transformMap
        /// `transformMapEntry(k, v, [p,] t)` — `t` yields a one-entry map.
        case transformMapEntry
        /// `opt.optMap(x, t)` and `opt.optFlatMap(x, t)` over an optional value.
        case optMap, optFlatMap
    }

    var kind: Kind
    var range: Expr
    /// The first variable: the element for one-variable forms, the index or key for two-variable ones.
    var first: String
    /// The second variable (element or value) in the two-variable forms.
    var second: String?
    /// The predicate (all/exists/existsOne/filter) or the transform when there is no filter.
    var body: Expr
    /// For map/transform* with a filter: `filter` is the predicate and `body` is the transform.
    var filter: Expr?
}
