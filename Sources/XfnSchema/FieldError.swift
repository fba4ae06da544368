import XfnCore
import XfnYAML

/// One finding about one field, rendered exactly as Kubernetes renders a `field.Error`
/// (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`).
public struct FieldError: Sendable, Hashable, CustomStringConvertible {
    /// Kubernetes' `field.ErrorType`.
    public enum Kind: String, Sendable, Hashable {
        case required, invalid, typeInvalid, notSupported, tooLong, tooMany, duplicate, forbidden, `internal`

        /// The words Kubernetes prints for the type.
        public var title: String {
            switch self {
            case .required: "Required value"
            case .invalid, .typeInvalid: "Invalid value"
            case .notSupported: "Unsupported value"
            case .tooLong: "Too long"
            case .tooMany: "Too many"
            case .duplicate: "Duplicate value"
            case .forbidden: "Forbidden"
            case .internal: "Internal error"
            }
        }
    }

    /// Which stage found it; crossplane's JSON output calls these schema, unknownField and cel.
    public enum Source: String, Sendable, Hashable {
        case schema
        case unknownField
        case listType
        case rule = "cel"
    }

    /// The value an error shows after its type, as Go renders it.
    public enum BadValue: Sendable, Hashable {
        case value(Value)
        /// A Go `int` (counts), JSON-encoded.
        case count(Int)
        case omitted
    }

    public var kind: Kind
    public var source: Source
    /// Where the problem is, for mapping to a source position.
    public var path: FieldPath
    /// The field as printed; `<nil>` where Kubernetes has no path (composite anyOf/oneOf results).
    public var field: String
    public var badValue: BadValue
    public var detail: String

    public init(kind: Kind, source: Source = .schema, path: FieldPath, field: String? = nil, badValue: BadValue = .omitted, detail: String = "") {
        self.kind = kind
        self.source = source
        self.path = path
        self.field = field ?? (path.isRoot ? "<nil>" : path.description)
        self.badValue = badValue
        self.detail = detail
    }

    /// The part after `<field>: `.
    public var body: String {
        var s: String
        switch kind {
        case .required, .forbidden, .tooLong, .internal:
            s = kind.title
        default:
            switch badValue {
            case .omitted: s = kind.title
            case .count(let n): s = "\(kind.title): \(n)"
            case .value(let v): s = "\(kind.title): \(Self.render(v))"
            }
        }
        if !detail.isEmpty { s += ": \(detail)" }
        return s
    }

    public var description: String { "\(field): \(body)" }

    /// The bad value alone, as printed (`"x"`, `3`, `1e+06`, `{"a":1}`).
    public var renderedValue: String? {
        switch badValue {
        case .omitted: nil
        case .count(let n): String(n)
        case .value(let v): Self.render(v)
        }
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .int(let i): String(i)
        case .double(let d): GoFormat.float(d)
        case .bool(let b): b ? "true" : "false"
        case .string(let s): GoFormat.quote(s)
        default: GoFormat.json(value)
        }
    }
}

extension YAMLDocument {
    /// Where an error's field was written, or the nearest enclosing field that was (a missing
    /// required field is reported at the object that lacks it).
    public func position(of error: FieldError) -> SourcePosition? {
        positions.nearest(error.path)
    }
}
