import XfnCore
import XfnYAML

/// A structural schema compiled once (per CRD version) and used for any number of objects.
public final class CompiledSchema: Sendable {
    public let root: SchemaNode
    /// The schema as given; a cache can store it (e.g. as JSON, which reads much faster than YAML)
    /// and compile it again.
    public let source: Value
    /// What the schema belongs to, for messages.
    let subject: String?
    private let failures = LateFailures()

    /// Bumped whenever what compiling rejects changes; a record that a schema compiled holds it, so
    /// one made by a build that rejected less is not trusted.
    public static let compilerRevision = SchemaCompiler.revision

    /// Compiles an `openAPIV3Schema`. Throws on what Kubernetes would refuse to run: an invalid
    /// `pattern`, `$ref` and the other keywords v1 CRDs reject, malformed keyword values.
    public init(openAPIV3Schema schema: Value, subject: String? = nil) throws {
        source = schema
        self.subject = subject
        do {
            root = try SchemaCompiler.compile(schema, at: SchemaLocation("openAPIV3Schema"), mode: .eager)
        } catch var error as SchemaError {
            error.subject = subject
            throw error
        }
    }

    /// A schema that compiled before (with the same `compilerRevision`): its nodes are compiled as
    /// checking first reaches them, so an object costs what it touches, not the whole schema. Should
    /// the schema not compile after all, `lateError` says so once checking has met the error.
    public init(compiledBefore schema: Value, subject: String? = nil) throws {
        source = schema
        self.subject = subject
        do {
            root = try SchemaCompiler.compile(schema, at: SchemaLocation("openAPIV3Schema"), mode: .lazy(failures))
        } catch var error as SchemaError {
            error.subject = subject
            throw error
        }
    }

    /// An error of a schema made with `init(compiledBefore:)` that checking met; the results of
    /// checks made with it are not to be trusted.
    public var lateError: SchemaError? {
        guard var error = failures.error else { return nil }
        error.subject = subject
        return error
    }

    /// Compiles a schema that is not a resource (a JSON-Schema fixture, a function input part).
    public static func schema(_ schema: Value) throws -> CompiledSchema {
        try CompiledSchema(openAPIV3Schema: schema)
    }

    /// The object with its schema defaults filled in.
    public func applyingDefaults(to object: Value) -> Value {
        Defaulter.apply(root, to: object)
    }

    /// OpenAPI value validation only, as kube-openapi reports it.
    public func validateValues(_ object: Value) -> [FieldError] {
        ValueValidator.validate(root, object, at: .root)
    }

    /// The object without undeclared fields, and the paths that were dropped (sorted as Kubernetes
    /// sorts them). The object is treated as a resource root: `apiVersion`, `kind`, `metadata` stay.
    public func pruning(_ object: Value) -> (object: Value, pruned: [FieldPath]) {
        var pruned: [FieldPath] = []
        let node = root.embeddedResource ? root : root.markedEmbedded()
        let result = Pruner.prune(object, node, at: .root, pruned: &pruned)
        pruned.sort { $0.description < $1.description }
        return (result, pruned)
    }

    /// Duplicate items in `set` and `map` lists.
    public func validateListTypes(_ object: Value) -> [FieldError] {
        var errors: [FieldError] = []
        ListTypeValidator.validate(root, object, at: .root, &errors)
        return errors
    }

    /// Runs `x-kubernetes-validations` through `evaluator`.
    public func evaluateRules(_ object: Value, evaluator: any RuleEvaluator) -> [FieldError] {
        var errors: [FieldError] = []
        RuleWalker.walk(root, object, at: .root, evaluator: evaluator, budget: evaluator.makeBudget(), &errors)
        return errors
    }

    /// Every node's rules, so a CEL engine can compile them up front.
    public var hasRules: Bool { Self.hasRules(root) }

    private static func hasRules(_ node: SchemaNode) -> Bool {
        if !node.rules.isEmpty { return true }
        if node.children.properties.all.contains(where: { hasRules($0.node) }) { return true }
        if let items = node.items, hasRules(items) { return true }
        if let extra = node.additionalPropertiesSchema, hasRules(extra) { return true }
        return false
    }

    public struct Options: Sendable {
        /// Also report duplicate `set`/`map` list entries, as the apiserver (not crossplane) does.
        public var checkListTypes: Bool
        /// Evaluates `x-kubernetes-validations`; without one, rules are not run.
        public var ruleEvaluator: (any RuleEvaluator)?

        public init(checkListTypes: Bool = false, ruleEvaluator: (any RuleEvaluator)? = nil) {
            self.checkListTypes = checkListTypes
            self.ruleEvaluator = ruleEvaluator
        }
    }

    public struct Result: Sendable {
        /// The object after defaulting, before pruning: what the user's file means.
        public var defaulted: Value
        /// The defaulted object without unknown fields: what the apiserver would store.
        public var pruned: Value
        /// Schema errors, then unknown fields, then list-type duplicates, then rule failures.
        public var errors: [FieldError]

        public var isValid: Bool { errors.isEmpty }
    }

    /// Crossplane's pipeline for one resource: default, validate, report pruned fields as unknown,
    /// then (optionally) list types and rules on the pruned object.
    public func check(_ object: Value, options: Options = Options()) -> Result {
        let defaulted = applyingDefaults(to: object)
        var errors = validateValues(defaulted)
        let (pruned, prunedPaths) = pruning(defaulted)
        for path in prunedPaths {
            let last = path.lastKey ?? path.description
            errors.append(FieldError(kind: .invalid, source: .unknownField, path: path, badValue: .value(.string(last)),
                                     detail: "unknown field: \(GoFormat.quote(last))"))
        }
        if options.checkListTypes { errors += validateListTypes(pruned) }
        if let evaluator = options.ruleEvaluator { errors += evaluateRules(pruned, evaluator: evaluator) }
        return Result(defaulted: defaulted, pruned: pruned, errors: errors)
    }
}
