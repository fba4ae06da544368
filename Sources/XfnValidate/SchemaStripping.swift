import XfnCore

/// What the schema cache keeps of an `openAPIV3Schema`: everything validation reads, without the
/// prose. Descriptions are most of a generated CRD's bytes, and a warm run parses what it keeps.
enum SchemaStripping {
    /// Keywords of a schema node that neither compiling nor checking reads.
    static let prose: Set<String> = ["description", "example", "externalDocs", "title"]

    /// Removes prose keywords from schema nodes only: a property named `description`, or a
    /// `default` or `enum` value holding one, stays. Values that are not schemas where a schema
    /// belongs are kept as they are, so compiling reports them as before.
    static func strip(_ schema: Value) -> Value {
        guard case .object(let object) = schema else { return schema }
        var result = ValueObject()
        for (key, value) in object {
            if prose.contains(key) { continue }
            switch key {
            case "properties":
                if case .object(let map) = value {
                    result[key] = .object(ValueObject(map.map { ($0.key, strip($0.value)) }))
                } else {
                    result[key] = value
                }
            case "items", "additionalProperties", "not":
                result[key] = strip(value)
            case "allOf", "anyOf", "oneOf":
                if case .array(let list) = value { result[key] = .array(list.map(strip)) } else { result[key] = value }
            default:
                result[key] = value
            }
        }
        return .object(result)
    }
}
