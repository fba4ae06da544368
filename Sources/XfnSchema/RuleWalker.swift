import XfnCore
import XfnYAML

/// Visits every node that carries `x-kubernetes-validations`, with the value found there.
enum RuleWalker {
    static func walk(_ node: SchemaNode?, _ value: Value, at path: FieldPath, evaluator: any RuleEvaluator, budget: RuleBudget, _ errors: inout [FieldError]) {
        guard let node else { return }
        if !node.rules.isEmpty, !value.isNull {
            errors += evaluator.evaluate(rules: node.rules, node: node, value: value, path: path, budget: budget)
        }
        switch value {
        case .object(let object):
            for (key, member) in object {
                if let property = node.properties[key] {
                    walk(property, member, at: path.child(key), evaluator: evaluator, budget: budget, &errors)
                } else if let extra = node.additionalPropertiesSchema {
                    walk(extra, member, at: path.child(key), evaluator: evaluator, budget: budget, &errors)
                }
            }
        case .array(let items):
            for (i, item) in items.enumerated() { walk(node.items, item, at: path.index(i), evaluator: evaluator, budget: budget, &errors) }
        default:
            break
        }
    }
}
