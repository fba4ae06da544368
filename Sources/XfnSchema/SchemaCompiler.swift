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

    static func compile(_ schema: Value, at location: String, depth: Int = 0) throws -> SchemaNode {
        guard depth < 256 else { throw SchemaError(location: location, reason: "schema nested too deeply") }
        guard case .object(let object) = schema else {
            if case .bool = schema {
                throw SchemaError(location: location, reason: "boolean schemas are not supported")
            }
            throw SchemaError(location: location, reason: "must be an object, not \(schema.kubernetesTypeName)")
        }
        for (keyword, reason) in unsupported where object.contains(keyword) {
            throw SchemaError(location: "\(location).\(keyword)", reason: reason)
        }

        func child(_ value: Value, _ name: String) throws -> SchemaNode {
            try compile(value, at: "\(location).\(name)", depth: depth + 1)
        }
        func list(_ keyword: String) throws -> [SchemaNode] {
            guard let value = object[keyword] else { return [] }
            guard case .array(let items) = value else {
                throw SchemaError(location: "\(location).\(keyword)", reason: "must be a list of schemas")
            }
            return try items.enumerated().map { try child($0.element, "\(keyword)[\($0.offset)]") }
        }
        func number(_ keyword: String) throws -> Double? {
            guard let value = object[keyword] else { return nil }
            guard let n = value.numberValue else {
                throw SchemaError(location: "\(location).\(keyword)", reason: "must be a number")
            }
            return n
        }
        func count(_ keyword: String) throws -> Int64? {
            guard let value = object[keyword] else { return nil }
            switch value {
            case .int(let i): return i
            case .double(let d) where d == d.rounded() && abs(d) < 9e18: return Int64(d)
            default: throw SchemaError(location: "\(location).\(keyword)", reason: "must be an integer")
            }
        }
        func flag(_ keyword: String) throws -> Bool {
            guard let value = object[keyword] else { return false }
            guard case .bool(let b) = value else {
                throw SchemaError(location: "\(location).\(keyword)", reason: "must be a boolean")
            }
            return b
        }
        func text(_ keyword: String) throws -> String? {
            guard let value = object[keyword] else { return nil }
            guard case .string(let s) = value else {
                throw SchemaError(location: "\(location).\(keyword)", reason: "must be a string")
            }
            return s
        }

        let intOrString = try flag("x-kubernetes-int-or-string")
        var types: [String] = []
        switch object["type"] {
        case nil: break
        case .string(let t)?: types = t.isEmpty ? [] : [t]
        case .array(let list)?: types = list.compactMap(\.stringValue)
        default: throw SchemaError(location: "\(location).type", reason: "must be a string")
        }
        let known: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null"]
        if let bad = types.first(where: { !known.contains($0) }) {
            throw SchemaError(location: "\(location).type", reason: "unsupported type \(GoFormat.quote(bad))")
        }
        let formatText = try text("format")
        // Kubernetes keeps a string format only on `type: string` or untyped nodes, and drops numeric
        // and unknown formats; numeric formats would never be checked anyway.
        let stringFormat = types.isEmpty || types == ["string"] ? formatText.flatMap(StringFormat.init(name:)) : nil
        if intOrString { types = ["integer", "string"] }
        let format = stringFormat == nil ? nil : formatText

        var pattern: CELRegex? = nil
        if let source = try text("pattern") {
            // The same RE2 engine CEL's matches() uses: Kubernetes checks patterns with Go's regexp.
            do {
                pattern = try CELRegex(source)
            } catch let error as CELRegexError {
                throw SchemaError(location: "\(location).pattern", reason: "must be a valid regular expression, but isn't: error parsing regexp: \(error.reason)")
            }
        }

        var propertyNames: [String] = []
        var properties: [String: SchemaNode] = [:]
        if let value = object["properties"] {
            guard case .object(let map) = value else {
                throw SchemaError(location: "\(location).properties", reason: "must be an object")
            }
            for (name, schema) in map {
                propertyNames.append(name)
                properties[name] = try child(schema, "properties[\(name)]")
            }
        }

        var additional = SchemaNode.AdditionalProperties.absent
        switch object["additionalProperties"] {
        case nil: break
        case .bool(let b)?: additional = .allowed(b)
        case let value?: additional = .schema(try child(value, "additionalProperties"))
        }

        var items: SchemaNode? = nil
        if let value = object["items"] {
            if case .array = value {
                throw SchemaError(location: "\(location).items", reason: "items must be a schema object and not an array")
            }
            items = try child(value, "items")
        }

        var enumValues: [Value]? = nil
        if let value = object["enum"] {
            guard case .array(let list) = value else {
                throw SchemaError(location: "\(location).enum", reason: "must be a list")
            }
            enumValues = list
        }

        var required: [String] = []
        if let value = object["required"] {
            guard case .array(let list) = value else {
                throw SchemaError(location: "\(location).required", reason: "must be a list of strings")
            }
            required = list.compactMap(\.stringValue)
        }

        var listMapKeys: [String] = []
        if case .array(let list)? = object["x-kubernetes-list-map-keys"] { listMapKeys = list.compactMap(\.stringValue) }

        var rules: [ValidationRule] = []
        if let value = object["x-kubernetes-validations"] {
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

        var notNode: SchemaNode? = nil
        if let value = object["not"] { notNode = try child(value, "not") }

        return SchemaNode(
            types: types, nullable: try flag("nullable"), format: format, stringFormat: stringFormat,
            enumValues: enumValues, pattern: pattern,
            maximum: try number("maximum"), exclusiveMaximum: try flag("exclusiveMaximum"),
            minimum: try number("minimum"), exclusiveMinimum: try flag("exclusiveMinimum"),
            multipleOf: try number("multipleOf"),
            maxLength: try count("maxLength"), minLength: try count("minLength"),
            maxItems: try count("maxItems"), minItems: try count("minItems"), uniqueItems: try flag("uniqueItems"),
            maxProperties: try count("maxProperties"), minProperties: try count("minProperties"),
            required: required, propertyNames: propertyNames, properties: properties,
            additionalProperties: additional, items: items,
            allOf: try list("allOf"), anyOf: try list("anyOf"), oneOf: try list("oneOf"), not: notNode,
            preserveUnknownFields: try flag("x-kubernetes-preserve-unknown-fields"), intOrString: intOrString,
            embeddedResource: try flag("x-kubernetes-embedded-resource"),
            listType: try text("x-kubernetes-list-type"), listMapKeys: listMapKeys,
            defaultValue: object["default"], rules: rules)
    }
}
