import XfnCEL
import XfnCore

/// One compiled node of an OpenAPI v3 schema as Kubernetes reads it. Built once per CRD version and
/// shared; everything is immutable.
public final class SchemaNode: Sendable {
    public enum AdditionalProperties: Sendable {
        case absent
        case allowed(Bool)
        case schema(SchemaNode)
    }

    /// `type`; empty means any. `x-kubernetes-int-or-string` makes it `["integer", "string"]`.
    public let types: [String]
    public let nullable: Bool
    /// The format as written, kept only when Kubernetes checks it.
    public let format: String?
    let stringFormat: StringFormat?
    public let enumValues: [Value]?
    public let pattern: CELRegex?
    public let maximum: Double?
    public let exclusiveMaximum: Bool
    public let minimum: Double?
    public let exclusiveMinimum: Bool
    public let multipleOf: Double?
    public let maxLength: Int64?
    public let minLength: Int64?
    public let maxItems: Int64?
    public let minItems: Int64?
    public let uniqueItems: Bool
    public let maxProperties: Int64?
    public let minProperties: Int64?
    public let required: [String]
    /// Declared properties in the order the schema lists them.
    public let propertyNames: [String]
    public let properties: [String: SchemaNode]
    public let additionalProperties: AdditionalProperties
    public let items: SchemaNode?
    public let allOf: [SchemaNode]
    public let anyOf: [SchemaNode]
    public let oneOf: [SchemaNode]
    public let not: SchemaNode?
    public let preserveUnknownFields: Bool
    public let intOrString: Bool
    public let embeddedResource: Bool
    /// `atomic`, `set` or `map`; nil when not given (atomic).
    public let listType: String?
    public let listMapKeys: [String]
    public let defaultValue: Value?
    public let rules: [ValidationRule]

    init(types: [String], nullable: Bool, format: String?, stringFormat: StringFormat?, enumValues: [Value]?,
         pattern: CELRegex?, maximum: Double?, exclusiveMaximum: Bool, minimum: Double?, exclusiveMinimum: Bool,
         multipleOf: Double?, maxLength: Int64?, minLength: Int64?, maxItems: Int64?, minItems: Int64?,
         uniqueItems: Bool, maxProperties: Int64?, minProperties: Int64?, required: [String],
         propertyNames: [String], properties: [String: SchemaNode], additionalProperties: AdditionalProperties,
         items: SchemaNode?, allOf: [SchemaNode], anyOf: [SchemaNode], oneOf: [SchemaNode], not: SchemaNode?,
         preserveUnknownFields: Bool, intOrString: Bool, embeddedResource: Bool, listType: String?,
         listMapKeys: [String], defaultValue: Value?, rules: [ValidationRule]) {
        self.types = types
        self.nullable = nullable
        self.format = format
        self.stringFormat = stringFormat
        self.enumValues = enumValues
        self.pattern = pattern
        self.maximum = maximum
        self.exclusiveMaximum = exclusiveMaximum
        self.minimum = minimum
        self.exclusiveMinimum = exclusiveMinimum
        self.multipleOf = multipleOf
        self.maxLength = maxLength
        self.minLength = minLength
        self.maxItems = maxItems
        self.minItems = minItems
        self.uniqueItems = uniqueItems
        self.maxProperties = maxProperties
        self.minProperties = minProperties
        self.required = required
        self.propertyNames = propertyNames
        self.properties = properties
        self.additionalProperties = additionalProperties
        self.items = items
        self.allOf = allOf
        self.anyOf = anyOf
        self.oneOf = oneOf
        self.not = not
        self.preserveUnknownFields = preserveUnknownFields
        self.intOrString = intOrString
        self.embeddedResource = embeddedResource
        self.listType = listType
        self.listMapKeys = listMapKeys
        self.defaultValue = defaultValue
        self.rules = rules
    }

    /// The schema for values of undeclared keys, when `additionalProperties` is a schema.
    public var additionalPropertiesSchema: SchemaNode? {
        if case .schema(let node) = additionalProperties { node } else { nil }
    }

    /// A copy marked as an embedded resource; the resource root is treated as one when pruning.
    func markedEmbedded() -> SchemaNode {
        SchemaNode(types: types, nullable: nullable, format: format, stringFormat: stringFormat, enumValues: enumValues,
                   pattern: pattern, maximum: maximum, exclusiveMaximum: exclusiveMaximum, minimum: minimum,
                   exclusiveMinimum: exclusiveMinimum, multipleOf: multipleOf, maxLength: maxLength, minLength: minLength,
                   maxItems: maxItems, minItems: minItems, uniqueItems: uniqueItems, maxProperties: maxProperties,
                   minProperties: minProperties, required: required, propertyNames: propertyNames, properties: properties,
                   additionalProperties: additionalProperties, items: items, allOf: allOf, anyOf: anyOf, oneOf: oneOf,
                   not: not, preserveUnknownFields: preserveUnknownFields, intOrString: intOrString, embeddedResource: true,
                   listType: listType, listMapKeys: listMapKeys, defaultValue: defaultValue, rules: rules)
    }
}
