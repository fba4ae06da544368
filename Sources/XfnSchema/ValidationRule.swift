import XfnCore
import XfnYAML

/// One `x-kubernetes-validations` entry, kept as written so a CEL engine can compile it later.
public struct ValidationRule: Sendable, Hashable {
    public var rule: String
    public var message: String?
    public var messageExpression: String?
    /// `FieldValueInvalid` (the default), `FieldValueForbidden`, `FieldValueRequired` or `FieldValueDuplicate`.
    public var reason: String?
    public var fieldPath: String?
    public var optionalOldSelf: Bool

    public init(rule: String, message: String? = nil, messageExpression: String? = nil, reason: String? = nil,
                fieldPath: String? = nil, optionalOldSelf: Bool = false) {
        self.rule = rule
        self.message = message
        self.messageExpression = messageExpression
        self.reason = reason
        self.fieldPath = fieldPath
        self.optionalOldSelf = optionalOldSelf
    }

    /// Whether the rule compares with the previous object; such rules are skipped without one.
    public var isTransitionRule: Bool { rule.contains("oldSelf") }
}

/// Evaluates the `x-kubernetes-validations` rules of one schema node. The schema walker calls it
/// for every node that has rules, with the value at that node after defaulting and pruning.
public protocol RuleEvaluator: Sendable {
    /// A fresh budget for one object; every rule evaluated on that object draws from it.
    func makeBudget() -> RuleBudget
    func evaluate(rules: [ValidationRule], node: SchemaNode, value: Value, path: FieldPath, budget: RuleBudget) -> [FieldError]
}
