/// A function or operator known to the environment. `impl` gets the receiver (if any) as the first
/// argument and dispatches on the argument kinds itself, throwing "no such overload" on a mismatch.
public struct CELFunction: Sendable {
    public enum Style: Sendable { case global, receiver, both }
    /// How a call is charged, following cel-go's runtime cost model (sizes are code points for
    /// strings, bytes for bytes, entries for lists and maps, 1 for anything else).
    public enum Cost: Sendable {
        /// 1 per call.
        case constant
        /// ⌈0.1 × size of the first argument⌉ (startsWith, quote, string↔bytes, most string functions).
        case linear
        /// Equality and ordering: ⌈0.1 × the smaller operand size⌉.
        case compare
        /// `+`: ⌈0.1 × (size a + size b)⌉ for strings and bytes, else 1.
        case concat
        /// `in`: the list's size, or 1 for maps.
        case membership
        /// `matches`/`find`: ⌈0.1 × (1 + string size)⌉ × ⌈0.25 × pattern size⌉.
        case regex
        /// `contains`: ⌈0.1 × string size⌉ × ⌈0.1 × substring size⌉.
        case substring
        /// Kubernetes' traversal cost of the receiver (isSorted, sum, min, max, indexOf): 1 per scalar,
        /// ⌊0.1 × length⌋ per string or bytes, summed through lists and maps.
        case receiverWalk
        /// ⌈0.2 × size of the first argument⌉: a traversal plus building the result (replace, split).
        case linearTwice
        /// Anything else, from the arguments and the result.
        case custom(@Sendable ([CELValue], CELValue) -> UInt64)
    }

    public let name: String
    public let style: Style
    public let cost: Cost
    public let impl: @Sendable ([CELValue]) throws -> CELValue

    /// `arity` counts the receiver; calls with another number of arguments are "no such overload"
    /// before `impl` runs, so implementations may index their arguments freely within it.
    public init(_ name: String, _ style: Style = .global, arity: ClosedRange<Int>, cost: Cost = .constant,
                _ impl: @escaping @Sendable ([CELValue]) throws -> CELValue)
    {
        self.name = name
        self.style = style
        self.cost = cost
        self.impl = { args in
            guard arity.contains(args.count) else { throw CELEvalError.noOverload(name) }
            return try impl(args)
        }
    }

    init(chained name: String, _ style: Style, cost: Cost, _ impl: @escaping @Sendable ([CELValue]) throws -> CELValue) {
        self.name = name
        self.style = style
        self.cost = cost
        self.impl = impl
    }
}

/// The set of functions a program is compiled against.
public struct CELLibrary: Sendable {
    var globals: [String: CELFunction] = [:]
    var receivers: [String: CELFunction] = [:]

    public init() {}

    /// A second function of the same name and style becomes another overload: it is tried first and
    /// the earlier one answers when it reports "no such overload".
    public mutating func add(_ f: CELFunction) {
        if f.style != .receiver { globals[f.name] = CELLibrary.chain(f, globals[f.name]) }
        if f.style != .global { receivers[f.name] = CELLibrary.chain(f, receivers[f.name]) }
    }

    private static func chain(_ new: CELFunction, _ old: CELFunction?) -> CELFunction {
        guard let old else { return new }
        let first = new.impl
        let second = old.impl
        let cost = new.cost
        return CELFunction(chained: new.name, new.style, cost: cost) { args in
            do { return try first(args) } catch let e as CELEvalError where e.kind == .noSuchOverload {
                return try second(args)
            }
        }
    }

    public mutating func add(_ fs: [CELFunction]) { for f in fs { add(f) } }
}
