import XfnCore

/// Entry point: compile a CEL expression once, evaluate it many times.
///
///     let rule = try CEL.compile("self.replicas <= self.maxReplicas",
///                                declarations: ["self": specType])   // type-checked
///     let ok = try rule.evaluate(["self": spec]).boolValue           // spec: XfnCore.Value
///
/// For CRD rules, build one `CELStaticType` per schema node (`.object(name:fields:)` with escaped
/// property names from `CELPropertyNames.escape`, `.map(.string, T)` for `additionalProperties`,
/// `.list(T)`, `.dyn` for int-or-string and preserve-unknown-fields, `.bytes`/`.timestamp`/
/// `.duration` for the string formats) and declare `self` (and `oldSelf`, `.optional(T)` with
/// `optionalOldSelf`). The same type then checks the rule and converts the document when evaluating.
/// `CELParseError` covers syntax and type errors (with line and column); `CELEvalError.kind` tells
/// runtime failures apart, including `.costLimitExceeded` when the budget runs out.
public enum CEL {
    /// The Kubernetes environment: the standard library plus the extension libraries the apiserver
    /// enables for CRD validation rules.
    public static let kubernetesLibrary: CELLibrary = {
        var lib = standardLibrary
        lib.add(StringsExt.functions)
        lib.add(ListsExt.functions)
        lib.add(SetsExt.functions)
        lib.add(KubernetesRegex.functions)
        lib.add(KubernetesLists.functions)
        lib.add(NetworkLibrary.functions)
        lib.add(URLLibrary.functions)
        lib.add(QuantityLibrary.functions)
        lib.add(SemverLibrary.functions)
        lib.add(FormatLibrary.functions)
        return lib
    }()

    /// The functions every CEL implementation has, plus optional values.
    public static let standardLibrary: CELLibrary = {
        var lib = CELLibrary()
        lib.add(Operators.functions)
        lib.add(Conversions.functions)
        lib.add(Standard.functions)
        lib.add(TimeFunctions.functions)
        lib.add(Optionals.functions)
        return lib
    }()

    /// Parses and binds `source`. `container` is the namespace names resolve in (as protobuf packages
    /// do); Kubernetes rules leave it empty.
    /// `variables`, when given, declares the names activations will bind (`self`, `oldSelf`); any
    /// other name is then an "undeclared reference" compile error. With `deferUnknownFunctions`, a
    /// call to a function the library lacks fails only when evaluated.
    public static func compile(_ source: String, library: CELLibrary = kubernetesLibrary, container: String = "",
                               variables: Set<String>? = nil, deferUnknownFunctions: Bool = false)
        throws(CELParseError) -> CELProgram
    {
        let ast = try Parser.parse(source)
        var compiler = Compiler(library: library, container: container, source: source,
                                deferUnknownFunctions: deferUnknownFunctions)
        compiler.variables = variables
        let root = try compiler.compile(ast)
        return CELProgram(source: source, root: root, slots: compiler.maxSlots, resultType: nil, declarations: [:],
                          referencedNames: compiler.referencedNames)
    }

    /// Compiles with static types for the variables and type-checks the expression, as Kubernetes
    /// does when a CRD is created: unknown fields, mismatched operands and mixed literal types are
    /// compile errors. The program's `resultType` tells whether a rule yields `bool`.
    /// `homogeneousLiterals: false` gives plain CEL's rule (mixed literals are `list(dyn)`).
    public static func compile(_ source: String, declarations: [String: CELStaticType],
                               library: CELLibrary = kubernetesLibrary, container: String = "",
                               homogeneousLiterals: Bool = true) throws(CELParseError) -> CELProgram
    {
        let ast = try Parser.parse(source)
        var checker = Checker(declarations: declarations, container: container, source: source, library: library)
        checker.homogeneousLiterals = homogeneousLiterals
        let type = Checker.finalize(try checker.check(ast))
        var compiler = Compiler(library: library, container: container, source: source)
        compiler.variables = Set(declarations.keys)
        compiler.keyedOperators = checker.keyedOperators
        let root = try compiler.compile(ast)
        return CELProgram(source: source, root: root, slots: compiler.maxSlots, resultType: type,
                          declarations: declarations, referencedNames: compiler.referencedNames)
    }
}

/// A compiled expression. Immutable and `Sendable`: one program may be evaluated concurrently.
public struct CELProgram: Sendable {
    public let source: String
    let root: Node
    let slots: Int
    /// The checked type of the result, when compiled with declarations.
    public let resultType: CELStaticType?
    /// The declared variable types; document values are converted by them.
    public let declarations: [String: CELStaticType]
    /// Global names the expression mentions, by their first segment. A Kubernetes rule that mentions
    /// `oldSelf` is a transition rule, skipped when there is no old object.
    public let referencedNames: Set<String>

    /// Kubernetes' per-call limit (`PerCallLimit`).
    public static let defaultBudget: UInt64 = 1_000_000

    /// Evaluates with CEL-native variables. Throws `CELEvalError`, including `.costLimitExceeded`
    /// when the evaluation costs more than `budget`.
    public func evaluate(_ variables: [String: CELValue], budget: UInt64 = defaultBudget) throws(CELEvalError)
        -> CELValue
    {
        try evaluateWithCost(variables, budget: budget).value
    }

    /// Same as `evaluate`, also returning the cost spent so callers can charge a shared budget.
    public func evaluateWithCost(_ variables: [String: CELValue], budget: UInt64 = defaultBudget)
        throws(CELEvalError) -> (value: CELValue, cost: UInt64)
    {
        let ev = Evaluator(variables: variables, slots: slots, budget: budget)
        let v: CELValue
        do { v = try ev.eval(root) } catch let e as CELEvalError { throw e } catch {
            throw CELEvalError.general("\(error)")
        }
        return (v, ev.cost)
    }

    /// Evaluates with document values (`self`, `oldSelf`, …), converted by the declared types (see
    /// `CELValue.init(_:type:)`); undeclared variables convert by their own shape.
    public func evaluate(_ variables: [String: Value], budget: UInt64 = defaultBudget) throws(CELEvalError)
        -> CELValue
    {
        try evaluate(try convert(variables), budget: budget)
    }

    /// `evaluate` with document values, also returning the cost spent.
    public func evaluateWithCost(_ variables: [String: Value], budget: UInt64 = defaultBudget)
        throws(CELEvalError) -> (value: CELValue, cost: UInt64)
    {
        try evaluateWithCost(try convert(variables), budget: budget)
    }

    /// Converts document values by the declared types, so callers evaluating several rules on the
    /// same object can convert once.
    public func convert(_ variables: [String: Value]) throws(CELEvalError) -> [String: CELValue] {
        try Self.convert(variables, declarations: declarations)
    }

    /// `convert` by the given declarations, for programs that read the same variables through
    /// narrower declarations of their own.
    public static func convert(_ variables: [String: Value], declarations: [String: CELStaticType]) throws(CELEvalError)
        -> [String: CELValue]
    {
        var vars: [String: CELValue] = [:]
        for (k, v) in variables {
            do {
                // An optional `oldSelf` (optionalOldSelf) receives the plain value, wrapped here.
                if case .optional(let inner) = declarations[k] ?? .dyn {
                    vars[k] = .optional(try CELValue(v, type: inner))
                } else {
                    vars[k] = try CELValue(v, type: declarations[k] ?? .dyn)
                }
            } catch let e as CELEvalError {
                throw CELEvalError(e.kind, "invalid value for '\(k)': \(e.message)")
            } catch {
                throw CELEvalError.general("invalid value for '\(k)': \(error)")
            }
        }
        return vars
    }
}
