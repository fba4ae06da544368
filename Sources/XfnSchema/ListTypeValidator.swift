import XfnCore
import XfnYAML

/// Duplicate entries in `x-kubernetes-list-type: set` and `map` lists. The apiserver runs this after
/// schema validation; crossplane's validate does not.
enum ListTypeValidator {
    static func validate(_ node: SchemaNode?, _ value: Value, at path: FieldPath, _ errors: inout [FieldError]) {
        guard let node else { return }
        switch value {
        case .object(let object):
            let children = node.children
            for (key, member) in object {
                if let property = children.property(key) {
                    validate(property, member, at: path.child(key), &errors)
                } else if let extra = children.additionalPropertiesSchema {
                    validate(extra, member, at: path.child(key), &errors)
                }
            }
        case .array(let items):
            switch node.listType {
            case "set":
                for (i, item) in items.enumerated() where items[..<i].contains(where: { ValueValidator.jsonEqual($0, item) }) {
                    errors.append(FieldError(kind: .duplicate, source: .listType, path: path.index(i), badValue: .value(item)))
                }
            case "map":
                var seen: [Value] = []
                for (i, item) in items.enumerated() {
                    guard case .object(let object) = item else { continue }
                    var key = ValueObject()
                    for name in node.listMapKeys { if let v = object[name] { key[name] = v } }
                    let keyValue = Value.object(key)
                    if seen.contains(where: { ValueValidator.jsonEqual($0, keyValue) }) {
                        errors.append(FieldError(kind: .duplicate, source: .listType, path: path.index(i), badValue: .value(keyValue)))
                    } else {
                        seen.append(keyValue)
                    }
                }
            default:
                break
            }
            let itemSchema = node.children.items
            for (i, item) in items.enumerated() { validate(itemSchema, item, at: path.index(i), &errors) }
        default:
            break
        }
    }
}
