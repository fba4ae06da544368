import SwiftProtobuf
import XfnCore

/// Converts between xfn's `Value` and protobuf's `Struct`.
///
/// `Struct` carries every number as a double, so the way back cannot know whether `3` was written as
/// an integer. The rule: a number that is finite, whole, and inside Int64's range comes back as `.int`;
/// any other number stays `.double`. This is what Kubernetes' JSON encoding shows for the same value
/// (`3`, never `3.0`), so rendered manifests look the way crossplane prints them. Integers beyond
/// 2^53 lose precision on the wire; that is the protocol's limit, not this bridge's.
public enum StructBridge {
    public static func protobufStruct(from object: ValueObject) -> Google_Protobuf_Struct {
        var result = Google_Protobuf_Struct()
        for (key, value) in object { result.fields[key] = protobufValue(from: value) }
        return result
    }

    /// A non-object value cannot be a `Struct`; callers hand over manifests and inputs, which are objects.
    public static func protobufStruct(from value: Value) -> Google_Protobuf_Struct? {
        guard case .object(let object) = value else { return nil }
        return protobufStruct(from: object)
    }

    public static func protobufValue(from value: Value) -> Google_Protobuf_Value {
        var result = Google_Protobuf_Value()
        switch value {
        case .null: result.kind = .nullValue(.nullValue)
        case .bool(let b): result.kind = .boolValue(b)
        case .int(let i): result.kind = .numberValue(Double(i))
        case .double(let d): result.kind = .numberValue(d)
        case .string(let s): result.kind = .stringValue(s)
        case .array(let items):
            var list = Google_Protobuf_ListValue()
            list.values = items.map(protobufValue(from:))
            result.kind = .listValue(list)
        case .object(let object): result.kind = .structValue(protobufStruct(from: object))
        }
        return result
    }

    /// Keys come back sorted: a protobuf map has no order, and sorted is how the output is written.
    public static func object(from value: Google_Protobuf_Struct) -> ValueObject {
        ValueObject(value.fields.keys.sorted().map { ($0, Self.value(from: value.fields[$0]!)) })
    }

    public static func value(from value: Google_Protobuf_Struct) -> Value {
        .object(object(from: value))
    }

    public static func value(from value: Google_Protobuf_Value) -> Value {
        switch value.kind {
        case .none, .nullValue: return .null
        case .boolValue(let b): return .bool(b)
        case .numberValue(let d): return number(d)
        case .stringValue(let s): return .string(s)
        case .listValue(let list): return .array(list.values.map { Self.value(from: $0) })
        case .structValue(let object): return .object(Self.object(from: object))
        }
    }

    /// The integral-number rule described on the type.
    public static func number(_ d: Double) -> Value {
        // 2^63 is exactly representable; every double below it in magnitude converts without trapping.
        if d.isFinite, d.rounded(.towardZero) == d, d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 {
            return .int(Int64(d))
        }
        return .double(d)
    }
}
