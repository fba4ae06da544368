import XfnCore

/// Structural defaulting as the apiserver applies it before validation: a declared property with a
/// `default` is filled in when missing, or when null and not nullable; the same for
/// `additionalProperties` values and array items. Defaults are defaulted in turn.
enum Defaulter {
    static func apply(_ node: SchemaNode?, to value: Value) -> Value {
        filled(node, value) ?? value
    }

    /// The value with its defaults, or nil when no default applies anywhere in it: most objects
    /// need none, and are then neither copied nor rebuilt.
    private static func filled(_ node: SchemaNode?, _ value: Value) -> Value? {
        guard let node else { return nil }
        switch value {
        case .object(var object):
            let children = node.children
            var changed = false
            for (name, property) in children.defaulted {
                let defaultValue = property.defaultValue!
                if let existing = object[name] {
                    if isNonNullableNull(existing, property) {
                        object[name] = defaultValue
                        changed = true
                    }
                } else {
                    object[name] = defaultValue
                    changed = true
                }
            }
            let extra = children.additionalPropertiesSchema
            guard !children.properties.isEmpty || extra != nil else { return changed ? .object(object) : nil }
            for (key, member) in object {
                if let property = children.property(key) {
                    if let result = filled(property, member) {
                        object[key] = result
                        changed = true
                    }
                } else if let extra {
                    if isNonNullableNull(member, extra) {
                        object[key] = filled(extra, extra.defaultValue!) ?? extra.defaultValue!
                        changed = true
                    } else if let result = filled(extra, member) {
                        object[key] = result
                        changed = true
                    }
                }
            }
            return changed ? .object(object) : nil
        case .array(var items):
            guard let itemSchema = node.children.items else { return nil }
            var changed = false
            for index in items.indices {
                let original = items[index]
                let item = isNonNullableNull(original, itemSchema) ? itemSchema.defaultValue! : original
                if let result = filled(itemSchema, item) {
                    items[index] = result
                    changed = true
                } else if isNonNullableNull(original, itemSchema) {
                    items[index] = item
                    changed = true
                }
            }
            return changed ? .array(items) : nil
        default:
            return nil
        }
    }

    private static func isNonNullableNull(_ value: Value, _ node: SchemaNode) -> Bool {
        value.isNull && !node.nullable && node.defaultValue != nil
    }
}
