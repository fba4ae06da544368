import Foundation

/// A compile-time CEL type. Schemas become these (objects with declared fields, `int-or-string` as
/// `dyn`), so rules can be checked before any document is evaluated.
public indirect enum CELStaticType: Sendable, Hashable, CustomStringConvertible {
    case dyn
    case null
    case bool, int, uint, double, string, bytes, timestamp, duration
    case list(CELStaticType)
    /// A list with Kubernetes list-type `set` (no keys) or `map` (keyed by the named, escaped
    /// properties): `==` ignores order and `+` merges, when such a list is the left operand.
    case keyedList(CELStaticType, keys: [String])
    case map(CELStaticType, CELStaticType)
    /// The type of a type value: `type(int)` is `.type(.int)`.
    case type(CELStaticType)
    case optional(CELStaticType)
    /// A library type such as `net.IP` or `kubernetes.Quantity`.
    case opaque(String)
    /// An object with declared fields (a schema node with `properties`). Selecting an undeclared field
    /// is a compile error, as in Kubernetes.
    case object(name: String, fields: [String: CELStaticType])
    /// A type parameter inside a function signature.
    case param(String)

    public var description: String {
        switch self {
        case .dyn: "dyn"
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .timestamp: "google.protobuf.Timestamp"
        case .duration: "google.protobuf.Duration"
        case .list(let e), .keyedList(let e, _): "list(\(e))"
        case .map(let k, let v): "map(\(k), \(v))"
        case .type(let t): "type(\(t))"
        case .optional(let t): "optional_type(\(t))"
        case .opaque(let n): n
        case .object(let n, _): n
        case .param(let n): n
        }
    }

    /// The type with a top-level keyed list read as a plain list.
    var plain: CELStaticType {
        if case .keyedList(let e, _) = self { return .list(e) }
        return self
    }

    /// Parses signature notation: `int`, `list(A)`, `map(K, V)`, `optional(A)`, single capitals are
    /// type parameters, dotted names are library types.
    init(notation: Substring) {
        let s = notation.trimmingSpaces
        func inner(_ prefix: String) -> [Substring]? {
            guard s.hasPrefix(prefix + "("), s.hasSuffix(")") else { return nil }
            let body = s.dropFirst(prefix.count + 1).dropLast()
            var parts: [Substring] = []
            var depth = 0
            var start = body.startIndex
            for i in body.indices {
                if body[i] == "(" { depth += 1 } else if body[i] == ")" { depth -= 1 } else if body[i] == ",", depth == 0 {
                    parts.append(body[start..<i])
                    start = body.index(after: i)
                }
            }
            parts.append(body[start...])
            return parts
        }
        if let p = inner("list") { self = .list(CELStaticType(notation: p[0])); return }
        if let p = inner("map") { self = .map(CELStaticType(notation: p[0]), CELStaticType(notation: p[1])); return }
        if let p = inner("optional") { self = .optional(CELStaticType(notation: p[0])); return }
        if let p = inner("type") { self = .type(CELStaticType(notation: p[0])); return }
        switch s {
        case "dyn": self = .dyn
        case "null": self = .null
        case "bool": self = .bool
        case "int": self = .int
        case "uint": self = .uint
        case "double": self = .double
        case "string": self = .string
        case "bytes": self = .bytes
        case "timestamp": self = .timestamp
        case "duration": self = .duration
        default:
            self = s.count == 1 && s.first!.isUppercase ? .param(String(s)) : .opaque(String(s))
        }
    }

    /// The static type of a runtime type value's name, for identifiers like `int` or `net.IP`.
    static func named(_ t: CELType) -> CELStaticType {
        switch t {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list(.dyn)
        case .map: .map(.dyn, .dyn)
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type(.dyn)
        case .optional: .optional(.dyn)
        default: .opaque(t.name)
        }
    }
}
