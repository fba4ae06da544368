import XfnCore

/// Structural defaulting as the apiserver applies it before validation: a declared property with a
/// `default` is filled in when missing, or when null and not nullable; the same for
/// `additionalProperties` values and array items. Defaults are defaulted in turn.
enum Defaulter {
    static func apply(_ node: SchemaNode?, to value: Value) -> Value {
        guard let node else { return value }
        switch value {
        case .object(var object):
            for name in node.propertyNames {
                let property = node.properties[name]!
                guard let defaultValue = property.defaultValue else { continue }
                if let existing = object[name] {
                    if isNonNullableNull(existing, property) { object[name] = defaultValue }
                } else {
                    object[name] = defaultValue
                }
            }
            for key in object.keys {
                let member = object[key]!
                if let property = node.properties[key] {
                    object[key] = apply(property, to: member)
                } else if let extra = node.additionalPropertiesSchema {
                    let filled = isNonNullableNull(member, extra) ? extra.defaultValue! : member
                    object[key] = apply(extra, to: filled)
                }
            }
            return .object(object)
        case .array(var items):
            guard let itemSchema = node.items else { return value }
            for index in items.indices {
                if isNonNullableNull(items[index], itemSchema) { items[index] = itemSchema.defaultValue! }
                items[index] = apply(itemSchema, to: items[index])
            }
            return .array(items)
        default:
            return value
        }
    }

    private static func isNonNullableNull(_ value: Value, _ node: SchemaNode) -> Bool {
        value.isNull && !node.nullable && node.defaultValue != nil
    }
}
