import XfnCEL
import XfnCore
import XfnYAML

/// Turns an `openAPIV3Schema` value into `SchemaNode`s, rejecting what Kubernetes cannot run.
enum SchemaCompiler {
    /// Keywords v1 CRDs reject, with Kubernetes' reason.
    static let unsupported: [String: String] = [
        "$ref": "$ref is not supported",
        "definitions": "definitions are not supported",
        "dependencies": "dependencies are not supported",
        "patternProperties": "patternProperties are not supported",
        "additionalItems": "additionalItems are not supported",
        "id": "id is not supported",
    ]

    /// Bumped whenever what `compile` rejects changes, so a record that a schema compiled, made by
    /// an earlier build, is not trusted.
    static let revision = 1

    enum Mode: Sendable {
        /// Everything below a node is compiled with it, so any error in the schema is thrown now.
        case eager
        /// Nodes below are compiled on first use; for schemas that compiled eagerly before.
        case lazy(LateFailures)
    }

    static func compile(_ schema: Value, at location: SchemaLocation, depth: Int = 0, mode: Mode) throws -> SchemaNode {
        guard depth < 256 else { throw SchemaError(location: "\(location)", reason: "schema nested too deeply") }
        guard case .object(let object) = schema else {
            if case .bool = schema {
                throw SchemaError(location: "\(location)", reason: "boolean schemas are not supported")
            }
            throw SchemaError(location: "\(location)", reason: "must be an object, not \(schema.kubernetesTypeName)")
        }
        let keywords = SchemaKeywords(object)
        if keywords.hasUnsupported {
            for (keyword, reason) in unsupported where object.contains(keyword) {
                throw SchemaError(location: "\(location).\(keyword)", reason: reason)
            }
        }
        let eager: Bool
        if case .eager = mode { eager = true } else { eager = false }

        func number(_ keyword: SchemaKeywords.Keyword, _ name: String) throws -> Double? {
            guard let value = keywords[keyword] else { return nil }
            guard let n = value.numberValue else {
                throw SchemaError(location: "\(location).\(name)", reason: "must be a number")
            }
            return n
        }
        func count(_ keyword: SchemaKeywords.Keyword, _ name: String) throws -> Int64? {
            guard let value = keywords[keyword] else { return nil }
            switch value {
            case .int(let i): return i
            case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
            default: throw SchemaError(location: "\(location).\(name)", reason: "must be an integer")
            }
        }
        func flag(_ keyword: SchemaKeywords.Keyword, _ name: String) throws -> Bool {
            guard let value = keywords[keyword] else { return false }
            guard case .bool(let b) = value else {
                throw SchemaError(location: "\(location).\(name)", reason: "must be a boolean")
            }
            return b
        }
        func text(_ keyword: SchemaKeywords.Keyword, _ name: String) throws -> String? {
            guard let value = keywords[keyword] else { return nil }
            guard case .string(let s) = value else {
                throw SchemaError(location: "\(location).\(name)", reason: "must be a string")
            }
            return s
        }

        let intOrString = try flag(.intOrString, "x-kubernetes-int-or-string")
        guard var types = declaredTypes(keywords[.type]) else {
            throw SchemaError(location: "\(location).type", reason: "must be a string")
        }
        if let bad = types.first(where: { !knownTypes.contains($0) }) {
            throw SchemaError(location: "\(location).type", reason: "unsupported type \(GoFormat.quote(bad))")
        }
        let formatText = try text(.format, "format")
        let stringFormat = checkedFormat(formatText, types: types)
        if intOrString { types = ["integer", "string"] }
        let format = stringFormat == nil ? nil : formatText

        var pattern: CELRegex? = nil
        if let source = try text(.pattern, "pattern") {
            // The same RE2 engine CEL's matches() uses: Kubernetes checks patterns with Go's regexp.
            do {
                pattern = try CELRegex(source)
            } catch let error as CELRegexError {
                throw SchemaError(location: "\(location).pattern", reason: "must be a valid regular expression, but isn't: error parsing regexp: \(error.reason)")
            }
        }

        // Eagerly, the children are compiled where they always were, so the first error in a
        // schema with several is the same one.
        var structure = StructureParts()
        if eager {
            structure.properties = try properties(keywords, at: location, depth: depth, mode: mode)
            structure.additional = try additionalProperties(keywords, at: location, depth: depth, mode: mode)
            structure.items = try items(keywords, at: location, depth: depth, mode: mode)
        }

        var enumValues: [Value]? = nil
        if let value = keywords[.enumValues] {
            guard case .array(let list) = value else {
                throw SchemaError(location: "\(location).enum", reason: "must be a list")
            }
            enumValues = list
        }

        var required: [String] = []
        if let value = keywords[.required] {
            guard case .array(let list) = value else {
                throw SchemaError(location: "\(location).required", reason: "must be a list of strings")
            }
            required = list.compactMap(\.stringValue)
        }

        var listMapKeys: [String] = []
        if case .array(let list)? = keywords[.listMapKeys] { listMapKeys = list.compactMap(\.stringValue) }

        var rules: [ValidationRule] = []
        if let value = keywords[.validations] {
            guard case .array(let list) = value else {
                throw SchemaError(location: "\(location).x-kubernetes-validations", reason: "must be a list")
            }
            for (index, entry) in list.enumerated() {
                guard let rule = entry["rule"]?.stringValue, !rule.isEmpty else {
                    throw SchemaError(location: "\(location).x-kubernetes-validations[\(index)].rule", reason: "Required value")
                }
                rules.append(ValidationRule(
                    rule: rule,
                    message: entry["message"]?.stringValue,
                    messageExpression: entry["messageExpression"]?.stringValue,
                    reason: entry["reason"]?.stringValue,
                    fieldPath: entry["fieldPath"]?.stringValue,
                    optionalOldSelf: entry["optionalOldSelf"]?.boolValue ?? false))
            }
        }

        if eager { structure.not = try not(keywords, at: location, depth: depth, mode: mode) }

        let nullable = try flag(.nullable, "nullable")
        let maximum = try number(.maximum, "maximum")
        let exclusiveMaximum = try flag(.exclusiveMaximum, "exclusiveMaximum")
        let minimum = try number(.minimum, "minimum")
        let exclusiveMinimum = try flag(.exclusiveMinimum, "exclusiveMinimum")
        let multipleOf = try number(.multipleOf, "multipleOf")
        let maxLength = try count(.maxLength, "maxLength")
        let minLength = try count(.minLength, "minLength")
        let maxItems = try count(.maxItems, "maxItems")
        let minItems = try count(.minItems, "minItems")
        let uniqueItems = try flag(.uniqueItems, "uniqueItems")
        let maxProperties = try count(.maxProperties, "maxProperties")
        let minProperties = try count(.minProperties, "minProperties")
        if eager {
            structure.allOf = try list(.allOf, "allOf", keywords, at: location, depth: depth, mode: mode)
            structure.anyOf = try list(.anyOf, "anyOf", keywords, at: location, depth: depth, mode: mode)
            structure.oneOf = try list(.oneOf, "oneOf", keywords, at: location, depth: depth, mode: mode)
        }
        let preserveUnknownFields = try flag(.preserveUnknownFields, "x-kubernetes-preserve-unknown-fields")
        let embeddedResource = try flag(.embeddedResource, "x-kubernetes-embedded-resource")
        let listType = try text(.listType, "x-kubernetes-list-type")

        let below: SchemaNode.Below
        switch mode {
        case .eager: below = SchemaNode.Below(compiled: structure.children)
        case .lazy(let failures):
            below = keywords.hasChildren
                ? SchemaNode.Below(pending: .init(object: object, location: location, depth: depth, failures: failures))
                : SchemaNode.Below(compiled: .none)
        }

        return SchemaNode(
            types: types, nullable: nullable, format: format, stringFormat: stringFormat,
            enumValues: enumValues, pattern: pattern,
            maximum: maximum, exclusiveMaximum: exclusiveMaximum,
            minimum: minimum, exclusiveMinimum: exclusiveMinimum,
            multipleOf: multipleOf,
            maxLength: maxLength, minLength: minLength,
            maxItems: maxItems, minItems: minItems, uniqueItems: uniqueItems,
            maxProperties: maxProperties, minProperties: minProperties,
            required: required,
            preserveUnknownFields: preserveUnknownFields, intOrString: intOrString,
            embeddedResource: embeddedResource,
            listType: listType, listMapKeys: listMapKeys,
            defaultValue: keywords[.defaultValue], rules: rules, below: below, written: object)
    }

    /// `type` as a list (empty: any); nil when it is neither a string nor a list.
    static func declaredTypes(_ type: Value?) -> [String]? {
        switch type {
        case nil: []
        case .string(let t)?: t.isEmpty ? [] : [t]
        case .array(let list)?: list.compactMap(\.stringValue)
        default: nil
        }
    }

    /// Kubernetes keeps a string format only on `type: string` or untyped nodes, and drops numeric
    /// and unknown formats; numeric formats would never be checked anyway.
    static func checkedFormat(_ format: String?, types: [String]) -> StringFormat? {
        types.isEmpty || types == ["string"] ? format.flatMap(StringFormat.init(name:)) : nil
    }

    private static let knownTypes: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null"]
    /// A node's children, in the order an eager compilation meets them.
    static func children(of object: ValueObject, at location: SchemaLocation, depth: Int, mode: Mode) throws -> SchemaNode.Children {
        let keywords = SchemaKeywords(object)
        var structure = StructureParts()
        structure.properties = try properties(keywords, at: location, depth: depth, mode: mode)
        structure.additional = try additionalProperties(keywords, at: location, depth: depth, mode: mode)
        structure.items = try items(keywords, at: location, depth: depth, mode: mode)
        structure.not = try not(keywords, at: location, depth: depth, mode: mode)
        structure.allOf = try list(.allOf, "allOf", keywords, at: location, depth: depth, mode: mode)
        structure.anyOf = try list(.anyOf, "anyOf", keywords, at: location, depth: depth, mode: mode)
        structure.oneOf = try list(.oneOf, "oneOf", keywords, at: location, depth: depth, mode: mode)
        return structure.children
    }

    private struct StructureParts {
        var properties = DeclaredProperties.none
        var additional = SchemaNode.AdditionalProperties.absent
        var items: SchemaNode? = nil
        var not: SchemaNode? = nil
        var allOf: [SchemaNode] = []
        var anyOf: [SchemaNode] = []
        var oneOf: [SchemaNode] = []

        var children: SchemaNode.Children {
            SchemaNode.Children(properties: properties, additionalProperties: additional,
                                items: items, allOf: allOf, anyOf: anyOf, oneOf: oneOf, not: not)
        }
    }

    private static func properties(_ keywords: borrowing SchemaKeywords, at location: SchemaLocation, depth: Int,
                                   mode: Mode) throws -> DeclaredProperties {
        guard let value = keywords[.properties] else { return .none }
        guard case .object(let map) = value else {
            throw SchemaError(location: "\(location).properties", reason: "must be an object")
        }
        switch mode {
        case .eager:
            return try DeclaredProperties.compiled(map, at: location) { schema, at in
                try compile(schema, at: at, depth: depth + 1, mode: mode)
            }
        case .lazy(let failures):
            return DeclaredProperties.pending(map, at: location, depth: depth + 1, failures: failures)
        }
    }

    private static func additionalProperties(_ keywords: borrowing SchemaKeywords, at location: SchemaLocation, depth: Int,
                                             mode: Mode) throws -> SchemaNode.AdditionalProperties {
        switch keywords[.additionalProperties] {
        case nil: return .absent
        case .bool(let b)?: return .allowed(b)
        case let value?:
            return .schema(try compile(value, at: location.child(.keyword("additionalProperties")), depth: depth + 1, mode: mode))
        }
    }

    private static func items(_ keywords: borrowing SchemaKeywords, at location: SchemaLocation, depth: Int, mode: Mode) throws -> SchemaNode? {
        guard let value = keywords[.items] else { return nil }
        if case .array = value {
            throw SchemaError(location: "\(location).items", reason: "items must be a schema object and not an array")
        }
        return try compile(value, at: location.child(.keyword("items")), depth: depth + 1, mode: mode)
    }

    private static func not(_ keywords: borrowing SchemaKeywords, at location: SchemaLocation, depth: Int, mode: Mode) throws -> SchemaNode? {
        guard let value = keywords[.not] else { return nil }
        return try compile(value, at: location.child(.keyword("not")), depth: depth + 1, mode: mode)
    }

    private static func list(_ keyword: SchemaKeywords.Keyword, _ name: String, _ keywords: borrowing SchemaKeywords, at location: SchemaLocation,
                             depth: Int, mode: Mode) throws -> [SchemaNode] {
        guard let value = keywords[keyword] else { return [] }
        guard case .array(let items) = value else {
            throw SchemaError(location: "\(location).\(name)", reason: "must be a list of schemas")
        }
        return try items.enumerated().map {
            try compile($0.element, at: location.child(.element(name, $0.offset)), depth: depth + 1, mode: mode)
        }
    }
}
