import SwiftProtobuf
import Testing
import XfnCore
@testable import XfnFunctions

@Suite struct StructBridgeTests {
    @Test func roundTripKeepsEveryKindOfValue() throws {
        let original = ([
            "string": "text", "int": 42, "negative": -7, "double": 2.5, "bool": true, "null": nil,
            "list": [1, "two", [3.25], ["nested": false]],
            "object": ["inner": ["deep": "value", "empty": [:]], "emptyList": []],
        ] as Value).objectValue!
        let wire = StructBridge.protobufStruct(from: original)
        // Through bytes, as a function would send it back.
        let decoded = try Google_Protobuf_Struct(serializedBytes: try wire.serializedBytes() as [UInt8])
        #expect(StructBridge.object(from: decoded) == original)
    }

    @Test func wholeNumbersComeBackAsIntegers() {
        #expect(StructBridge.number(3) == .int(3))
        #expect(StructBridge.number(-0.0) == .int(0))
        #expect(StructBridge.number(1e15) == .int(1_000_000_000_000_000))
        #expect(StructBridge.number(3.5) == .double(3.5))
        #expect(StructBridge.number(1e19) == .double(1e19))
        #expect(StructBridge.number(-9_223_372_036_854_775_808.0) == .int(Int64.min))
        #expect(StructBridge.number(9_223_372_036_854_775_808.0) == .double(9_223_372_036_854_775_808.0))
        #expect(StructBridge.number(.infinity) == .double(.infinity))
        #expect(StructBridge.number(.nan).intValue == nil)
    }

    @Test func keysComeBackSorted() {
        var wire = Google_Protobuf_Struct()
        for key in ["zeta", "alpha", "mid"] { wire.fields[key] = StructBridge.protobufValue(from: .string(key)) }
        #expect(Array(StructBridge.object(from: wire).keys) == ["alpha", "mid", "zeta"])
    }

    @Test func onlyObjectsBecomeStructs() {
        #expect(StructBridge.protobufStruct(from: Value.array([1])) == nil)
        #expect(StructBridge.protobufStruct(from: Value.object(ValueObject())) == Google_Protobuf_Struct())
    }
}

@Suite struct FunctionTargetTests {
    @Test(arguments: [
        ("localhost:9443", FunctionTarget.host("localhost", port: 9443)),
        ("dns:///fn.example:9443", .host("fn.example", port: 9443)),
        ("127.0.0.1:1", .host("127.0.0.1", port: 1)),
        ("ipv4:127.0.0.1:9443", .host("127.0.0.1", port: 9443)),
        ("[::1]:9443", .host("::1", port: 9443)),
        ("unix:/run/fn.sock", .unixSocket("/run/fn.sock")),
        ("unix:///run/fn.sock", .unixSocket("/run/fn.sock")),
    ])
    func parses(_ text: String, _ expected: FunctionTarget) {
        #expect(FunctionTarget(parsing: text) == expected)
    }

    @Test(arguments: ["localhost", "localhost:", "localhost:0", "localhost:70000", ":9443", "unix:", "unix://relative", "[::1]9443"])
    func rejects(_ text: String) {
        #expect(FunctionTarget(parsing: text) == nil)
    }
}
