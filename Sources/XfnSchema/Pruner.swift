import XfnCore
import XfnYAML

/// Structural pruning: drops fields the schema does not declare and reports their paths, as the
/// apiserver prunes and crossplane turns each pruned path into an "unknown field" error.
enum Pruner {
    static func prune(_ value: Value, _ node: SchemaNode?, at path: FieldPath, pruned: inout [FieldPath]) -> Value {
        if let node, node.preserveUnknownFields { return skipPrune(value, node, at: path, pruned: &pruned) }
        switch value {
        case .object(let object):
            guard let node else {
                for key in object.keys { pruned.append(path.child(key)) }
                return .object(ValueObject())
            }
            var kept = ValueObject()
            for (key, member) in object {
                if node.embeddedResource, isKeptMetaField(key, member) {
                    kept[key] = member
                } else if let property = node.properties[key] {
                    kept[key] = prune(member, property, at: path.child(key), pruned: &pruned)
                } else if case .schema(let extra) = node.additionalProperties {
                    kept[key] = prune(member, extra, at: path.child(key), pruned: &pruned)
                } else if case .allowed = node.additionalProperties {
                    // A boolean keeps the key but declares nothing below it.
                    kept[key] = prune(member, nil, at: path.child(key), pruned: &pruned)
                } else {
                    pruned.append(path.child(key))
                }
            }
            return .object(kept)
        case .array(let items):
            return .array(items.enumerated().map { prune($0.element, node?.items, at: path.index($0.offset), pruned: &pruned) })
        default:
            return value
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
    private static func skipPrune(_ value: Value, _ node: SchemaNode, at path: FieldPath, pruned: inout [FieldPath]) -> Value {
        switch value {
        case .object(let object):
            var kept = ValueObject()
            for (key, member) in object {
                if node.embeddedResource, ["apiVersion", "kind", "metadata"].contains(key) {
                    kept[key] = member
                } else if let property = node.properties[key] {
                    kept[key] = prune(member, property, at: path.child(key), pruned: &pruned)
                } else if let extra = node.additionalPropertiesSchema {
                    kept[key] = prune(member, extra, at: path.child(key), pruned: &pruned)
                } else {
                    kept[key] = member
                }
            }
            return .object(kept)
        case .array(let items):
            guard let itemSchema = node.items else { return value }
            return .array(items.enumerated().map { skipPrune($0.element, itemSchema, at: path.index($0.offset), pruned: &pruned) })
        default:
            return value
        }
    }
}
