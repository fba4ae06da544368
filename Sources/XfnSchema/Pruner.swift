import XfnCore
import XfnYAML

/// Structural pruning: drops fields the schema does not declare and reports their paths, as the
/// apiserver prunes and crossplane turns each pruned path into an "unknown field" error.
enum Pruner {
    static func prune(_ value: Value, _ node: SchemaNode?, at path: FieldPath, pruned: inout [FieldPath]) -> Value {
        var trail = path.elements
        return pruning(value, node, &trail, &pruned) ?? value
    }

    /// What becomes of one member of an object being pruned.
    private enum MemberOutcome {
        case unchanged
        case removed
        case replaced(Value)
    }

    /// The value without undeclared fields, or nil when it has none: a valid object is neither
    /// copied nor rebuilt. `trail` is the path to the value, a path being made only for what is pruned.
    private static func pruning(_ value: Value, _ node: SchemaNode?, _ trail: inout [FieldPath.Element],
                                _ pruned: inout [FieldPath]) -> Value? {
        if let node, node.preserveUnknownFields { return skipPruning(value, node, &trail, &pruned) }
        switch value {
        case .object(let object):
            guard let node else {
                guard !object.isEmpty else { return nil }
                for key in object.keys { pruned.append(FieldPath(trail + [.key(key)])) }
                return .object(ValueObject())
            }
            let children = node.children
            return rebuilding(object, &trail) { key, member, trail in
                if node.embeddedResource, isKeptMetaField(key, member) { return .unchanged }
                let below: SchemaNode?
                if let property = children.property(key) {
                    below = property
                } else if case .schema(let extra) = children.additionalProperties {
                    below = extra
                } else if case .allowed = children.additionalProperties {
                    // A boolean keeps the key but declares nothing below it.
                    below = nil
                } else {
                    pruned.append(FieldPath(trail))
                    return .removed
                }
                return pruning(member, below, &trail, &pruned).map(MemberOutcome.replaced) ?? .unchanged
            }
        case .array(let items):
            let itemSchema = node?.children.items
            return rebuilding(items, &trail) { item, trail in pruning(item, itemSchema, &trail, &pruned) }
        default:
            return nil
        }
    }

    /// `apiVersion` and `kind` strings and a `metadata` object of an embedded resource are kept as they are.
    private static func isKeptMetaField(_ key: String, _ member: Value) -> Bool {
        switch key {
        case "apiVersion", "kind": if case .string = member { true } else { false }
        case "metadata": if case .object = member { true } else { false }
        default: false
        }
    }

    /// Below `x-kubernetes-preserve-unknown-fields` unknown keys stay, but declared children are still pruned.
    private static func skipPruning(_ value: Value, _ node: SchemaNode, _ trail: inout [FieldPath.Element],
                                    _ pruned: inout [FieldPath]) -> Value? {
        switch value {
        case .object(let object):
            let children = node.children
            return rebuilding(object, &trail) { key, member, trail in
                if node.embeddedResource, key == "apiVersion" || key == "kind" || key == "metadata" { return .unchanged }
                guard let below = children.property(key) ?? children.additionalPropertiesSchema else { return .unchanged }
                return pruning(member, below, &trail, &pruned).map(MemberOutcome.replaced) ?? .unchanged
            }
        case .array(let items):
            guard let itemSchema = node.children.items else { return nil }
            return rebuilding(items, &trail) { item, trail in skipPruning(item, itemSchema, &trail, &pruned) }
        default:
            return nil
        }
    }

    /// The object with each member's outcome applied, or nil when no member changed. `trail` holds
    /// the member's key while `member` runs.
    private static func rebuilding(_ object: ValueObject, _ trail: inout [FieldPath.Element],
                                   _ member: (String, Value, inout [FieldPath.Element]) -> MemberOutcome) -> Value? {
        var kept = object
        var changed = false
        for (key, value) in object {
            trail.append(.key(key))
            switch member(key, value, &trail) {
            case .unchanged: break
            case .removed:
                kept[key] = nil
                changed = true
            case .replaced(let result):
                kept[key] = result
                changed = true
            }
            trail.removeLast()
        }
        return changed ? .object(kept) : nil
    }

    /// The array with each item's replacement applied, or nil when none changed. `trail` holds the
    /// item's index while `item` runs.
    private static func rebuilding(_ items: [Value], _ trail: inout [FieldPath.Element],
                                   _ item: (Value, inout [FieldPath.Element]) -> Value?) -> Value? {
        var rebuilt = items
        var changed = false
        for index in items.indices {
            trail.append(.index(index))
            if let result = item(items[index], &trail) {
                rebuilt[index] = result
                changed = true
            }
            trail.removeLast()
        }
        return changed ? .array(rebuilt) : nil
    }
}
