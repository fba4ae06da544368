/// The one document model of xfn: what YAML and JSON parse into, what schemas validate, what CEL
/// evaluates and what the function protocol's `Struct` carries. Integers and doubles stay apart so a
/// manifest's `replicas: 3` never turns into `3.0`.
public enum Value: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([Value])
    case object(ValueObject)
}

extension Value {
    public var isNull: Bool { if case .null = self { true } else { false } }

    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var intValue: Int64? { if case .int(let i) = self { i } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var arrayValue: [Value]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: ValueObject? { if case .object(let o) = self { o } else { nil } }

    /// Integers and doubles both answer, for checks such as `minimum` that compare numbers of either kind.
    public var numberValue: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// Member of an object, or nil when this is not an object or has no such key.
    public subscript(key: String) -> Value? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    /// Follows a path of object keys; nil at the first missing step.
    public func value(at path: [String]) -> Value? {
        var current = self
        for key in path {
            guard let next = current[key] else { return nil }
            current = next
        }
        return current
    }

    /// The name Kubernetes uses for this value's type in error messages (`"string"`, `"integer"`, …).
    public var kubernetesTypeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension Value: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: Value...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .object(ValueObject(elements))
    }
}
