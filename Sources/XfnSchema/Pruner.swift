import XfnCore
import XfnYAML

/// Structural pruning: drops fields the schema does not declare and reports their paths, as the
/// apiserver prunes and crossplane turns each pruned path into an "unknown field" error.
enum Pruner {
    static func prune(_ value: Value, _ node: SchemaNode?, at path: FieldPath, pruned: inout [FieldPath]) -> Value {
        var trail = path.elements
        return pruning(value, node, &trail, &pruned) ?? value
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
            var kept = object
            var changed = false
            for (key, member) in object {
                if node.embeddedResource, isKeptMetaField(key, member) { continue }
                let below: SchemaNode?
                if let property = children.property(key) {
                    below = property
                } else if case .schema(let extra) = children.additionalProperties {
                    below = extra
                } else if case .allowed = children.additionalProperties {
                    // A boolean keeps the key but declares nothing below it.
                    below = nil
                } else {
                    pruned.append(FieldPath(trail + [.key(key)]))
                    kept[key] = nil
                    changed = true
                    continue
                }
                trail.append(.key(key))
                if let result = pruning(member, below, &trail, &pruned) {
                    kept[key] = result
                    changed = true
                }
                trail.removeLast()
            }
            return changed ? .object(kept) : nil
        case .array(var items):
            let itemSchema = node?.children.items
            var changed = false
            for index in items.indices {
                trail.append(.index(index))
                if let result = pruning(items[index], itemSchema, &trail, &pruned) {
                    items[index] = result
                    changed = true
                }
                trail.removeLast()
            }
            return changed ? .array(items) : nil
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
            var kept = object
            var changed = false
            for (key, member) in object {
                if node.embeddedResource, key == "apiVersion" || key == "kind" || key == "metadata" { continue }
                let below: SchemaNode
                if let property = children.property(key) {
                    below = property
                } else if let extra = children.additionalPropertiesSchema {
                    below = extra
                } else {
                    continue
                }
                trail.append(.key(key))
                if let result = pruning(member, below, &trail, &pruned) {
                    kept[key] = result
                    changed = true
                }
                trail.removeLast()
            }
            return changed ? .object(kept) : nil
        case .array(var items):
            guard let itemSchema = node.children.items else { return nil }
            var changed = false
            for index in items.indices {
                trail.append(.index(index))
                if let result = skipPruning(items[index], itemSchema, &trail, &pruned) {
                    items[index] = result
                    changed = true
                }
                trail.removeLast()
            }
            return changed ? .array(items) : nil
        default:
            return nil
        }
    }
}
