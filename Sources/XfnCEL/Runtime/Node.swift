/// The compiled, name-resolved form of an expression that the evaluator walks. Functions are bound
/// at compile time so evaluation never looks names up in the function table.
indirect enum Node: Sendable {
    case constant(CELValue)
    /// A comprehension variable, by slot in the evaluator's local stack.
    case local(Int)
    /// A variable or qualified name; the candidates are tried in order against the activation.
    case name([NameCandidate], offset: Int)
    case select(Node, String, optional: Bool, offset: Int)
    case presence(Node, String)
    case index(Node, Node, optional: Bool, offset: Int)
    case call(CELFunction, [Node], offset: Int)
    case and(Node, Node)
    case or(Node, Node)
    case conditional(Node, Node, Node)
    case list([Node], optional: [Bool]?)
    case map([(key: Node, value: Node, optional: Bool)])
    case comprehension(CompiledComprehension)
    /// An expression that can only fail at runtime (e.g. a protobuf message literal).
    case fail(CELEvalError)
    /// `a.or(b)` / `a.orValue(b)`: `b` is evaluated only when `a` is empty.
    case optionalOr(Node, Node, unwrap: Bool)
}

/// One reading of a dotted name: the variable `name`, then field selections `rest`.
struct NameCandidate: Sendable {
    var name: String
    var rest: [String]
    /// Dotted names can only be bound by activations that use dotted keys, or name a type.
    var dotted: Bool
    var isTypeName: Bool

    init(name: String, rest: [String]) {
        self.name = name
        self.rest = rest
        self.dotted = name.isDotted
        self.isTypeName = CELType.byName[name] != nil
    }
}

struct CompiledComprehension: Sendable {
    var kind: Comprehension.Kind
    var range: Node
    /// Slot of the first variable; the second, if any, is `slot + 1`.
    var slot: Int
    var twoVariables: Bool
    var body: Node
    var filter: Node?
}
