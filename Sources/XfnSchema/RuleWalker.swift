import XfnCore
import XfnYAML

/// Visits every node that carries `x-kubernetes-validations`, with the value found there.
enum RuleWalker {
    static func walk(_ node: SchemaNode?, _ value: Value, at path: FieldPath, evaluator: any RuleEvaluator, budget: RuleBudget, _ errors: inout [FieldError]) {
        var trail = path.elements
        walk(node, value, &trail, evaluator, budget, &errors)
    }

    /// `trail` is the path to the value; a `FieldPath` is made only where rules run.
    private static func walk(_ node: SchemaNode?, _ value: Value, _ trail: inout [FieldPath.Element], _ evaluator: any RuleEvaluator,
                             _ budget: RuleBudget, _ errors: inout [FieldError]) {
        guard let node else { return }
        if !node.rules.isEmpty, !value.isNull {
            errors += evaluator.evaluate(rules: node.rules, node: node, value: value, path: FieldPath(trail), budget: budget)
        }
        switch value {
        case .object(let object):
            let children = node.children
            let extra = children.additionalPropertiesSchema
            guard !children.properties.isEmpty || extra != nil else { return }
            for (key, member) in object {
                guard let below = children.property(key) ?? extra else { continue }
                trail.append(.key(key))
                walk(below, member, &trail, evaluator, budget, &errors)
                trail.removeLast()
            }
        case .array(let items):
            guard let itemSchema = node.children.items else { return }
            for (i, item) in items.enumerated() {
                trail.append(.index(i))
                walk(itemSchema, item, &trail, evaluator, budget, &errors)
                trail.removeLast()
            }
        default:
            break
        }
    }
}
