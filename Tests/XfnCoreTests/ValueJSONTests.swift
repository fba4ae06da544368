import Foundation
import Testing
@testable import XfnCore

@Suite struct ValueJSONTests {
    @Test func integersStayIntegers() throws {
        let value = try ValueJSON.parse(#"{"replicas": 3, "ratio": 0.5, "big": 1e3}"#)
        #expect(value["replicas"] == .int(3))
        #expect(value["ratio"] == .double(0.5))
        #expect(value["big"] == .double(1000))
    }

    @Test func keyOrderIsKept() throws {
        let value = try ValueJSON.parse(#"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#)
        #expect(ValueJSON.serialize(value) == #"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#)
        #expect(ValueJSON.serialize(value, sortKeys: true) == #"{"a":2,"b":1,"c":{"y":[true,false],"z":null}}"#)
    }

    @Test func escapesRoundTrip() throws {
        let value = try ValueJSON.parse(#"["a\"b\\c\n\u00e9\ud83d\ude00"]"#)
        #expect(value == .array([.string("a\"b\\c\né😀")]))
        #expect(try ValueJSON.parse(ValueJSON.serialize(value)) == value)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "1 2", "{\"a\":1,}", "\"\u{01}\""])
    func malformedInputIsRejectedWithOffset(_ text: String) {
        #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse(text) }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse(text) }
    }

    @Test func largeWholeDoublesDoNotTrap() {
        #expect(ValueJSON.serialize(.double(1e20)) == "1e+20")
        #expect(ValueJSON.serialize(.double(3)) == "3")
        #expect(ValueJSON.serialize(.double(-2.5)) == "-2.5")
    }

    @Test func objectEqualityIgnoresOrder() {
        let a: Value = ["x": 1, "y": 2]
        let b: Value = ["y": 2, "x": 1]
        #expect(a == b)
    }

    /// Small containers that repeat are shared between their occurrences; ones that differ in a
    /// single byte, hide brackets or escaped quotes in strings, or sit at the size limit of sharing
    /// must still read back exactly as written.
    @Test func repeatedAndNearlyRepeatedContainersReadBackExactly() throws {
        var items: [Value] = []
        for i in 0..<60 {
            items.append(["type": "string", "n": .int(Int64(i % 5))])
            items.append(["s": .string("a\"}]\\" + String(i % 3)), "list": [.int(Int64(i % 2)), "]"]])
            // Sizes around the sharing limit of 160 bytes.
            items.append(["pad": .string(String(repeating: "x", count: 130 + i % 40)), "i": .int(Int64(i % 4))])
        }
        let original = Value.array(items)
        let parsed = try ValueJSON.parse(ValueJSON.serialize(original))
        #expect(parsed == original)
        #expect(ValueJSON.serialize(parsed) == ValueJSON.serialize(original))
    }
}
