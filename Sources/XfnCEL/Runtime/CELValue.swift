/// A runtime CEL value. Numbers keep their CEL kind (int, uint, double) apart; Kubernetes library
/// types (IP, CIDR, quantity, URL, semver, format) travel as `object`.
public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map(CELMap)
    case type(CELType)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    /// `optional.of(x)` is `.optional(x)`, `optional.none()` is `.optional(nil)`.
    indirect case optional(CELValue?)
    case object(any CELObject)

    public var type: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list
        case .map: .map
        case .type: .type
        case .timestamp: .timestamp
        case .duration: .duration
        case .optional: .optional
        case .object(let o): o.celType
        }
    }
}

/// A library-defined value type (Kubernetes' IP, CIDR, quantity, URL, semver, format).
public protocol CELObject: Sendable, CustomStringConvertible {
    var celType: CELType { get }
    func isEqual(to other: any CELObject) -> Bool
}

/// A CEL type value, as `type(x)` returns and identifiers such as `int` name. Two types are equal when
/// their names are.
public struct CELType: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    public static let null = CELType("null_type")
    public static let bool = CELType("bool")
    public static let int = CELType("int")
    public static let uint = CELType("uint")
    public static let double = CELType("double")
    public static let string = CELType("string")
    public static let bytes = CELType("bytes")
    public static let list = CELType("list")
    public static let map = CELType("map")
    public static let type = CELType("type")
    public static let timestamp = CELType("google.protobuf.Timestamp")
    public static let duration = CELType("google.protobuf.Duration")
    public static let optional = CELType("optional_type")
    public static let dyn = CELType("dyn")

    /// Type names an expression can mention as identifiers.
    static let byName: [String: CELType] = {
        var m: [String: CELType] = [:]
        for t in [null, bool, int, uint, double, string, bytes, list, map, type, timestamp, duration, optional] {
            m[t.name] = t
        }
        // Types of the Kubernetes libraries, so `type(ip('1.2.3.4')) == net.IP` resolves.
        for name in ["net.IP", "net.CIDR", "kubernetes.URL", "kubernetes.Quantity", "kubernetes.Semver",
                     "kubernetes.NamedFormat"] {
            m[name] = CELType(name)
        }
        return m
    }()
}

extension CELValue {
    /// Short name used in "no such overload" messages.
    var typeName: String { type.name }
}
