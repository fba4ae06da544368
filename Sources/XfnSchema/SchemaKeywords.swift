import XfnCore

/// The keywords of one schema object that compiling reads, gathered in one pass over its keys: a
/// node holds a few keys, and looking up each keyword instead would hash dozens of strings.
/// Never copied: a copy would retain every value it holds.
struct SchemaKeywords: ~Copyable {
    enum Keyword: Int, CaseIterable {
        case type, format, pattern, properties, additionalProperties, items, enumValues, required, listMapKeys
        case validations, not, nullable, maximum, exclusiveMaximum, minimum, exclusiveMinimum, multipleOf
        case maxLength, minLength, maxItems, minItems, uniqueItems, maxProperties, minProperties
        case allOf, anyOf, oneOf, preserveUnknownFields, intOrString, embeddedResource, listType, defaultValue
    }

    static let names: [String: Keyword] = [
        "type": .type, "format": .format, "pattern": .pattern, "properties": .properties,
        "additionalProperties": .additionalProperties, "items": .items, "enum": .enumValues, "required": .required,
        "x-kubernetes-list-map-keys": .listMapKeys, "x-kubernetes-validations": .validations, "not": .not,
        "nullable": .nullable, "maximum": .maximum, "exclusiveMaximum": .exclusiveMaximum, "minimum": .minimum,
        "exclusiveMinimum": .exclusiveMinimum, "multipleOf": .multipleOf, "maxLength": .maxLength,
        "minLength": .minLength, "maxItems": .maxItems, "minItems": .minItems, "uniqueItems": .uniqueItems,
        "maxProperties": .maxProperties, "minProperties": .minProperties, "allOf": .allOf, "anyOf": .anyOf,
        "oneOf": .oneOf, "x-kubernetes-preserve-unknown-fields": .preserveUnknownFields,
        "x-kubernetes-int-or-string": .intOrString, "x-kubernetes-embedded-resource": .embeddedResource,
        "x-kubernetes-list-type": .listType, "default": .defaultValue,
    ]

    private var values = InlineArray<32, Value?>(repeating: nil)
    /// Whether a keyword v1 CRDs reject is present.
    private(set) var hasUnsupported = false
    /// Whether `properties`, `items`, `additionalProperties`, `not`, `allOf`, `anyOf` or `oneOf` is present.
    private(set) var hasChildren = false

    init(_ object: ValueObject) {
        for (key, value) in object {
            guard let keyword = Self.names[key] else {
                if SchemaCompiler.unsupported[key] != nil { hasUnsupported = true }
                continue
            }
            values[keyword.rawValue] = value
            switch keyword {
            case .properties, .items, .additionalProperties, .not, .allOf, .anyOf, .oneOf: hasChildren = true
            default: break
            }
        }
    }

    subscript(keyword: Keyword) -> Value? { values[keyword.rawValue] }

    /// `x-kubernetes-…` flags and the like, as the compiler reads a boolean that compiled.
    func isTrue(_ keyword: Keyword) -> Bool {
        if case .bool(true)? = values[keyword.rawValue] { true } else { false }
    }
}
