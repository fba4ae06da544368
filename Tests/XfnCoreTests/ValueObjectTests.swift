import Testing
@testable import XfnCore

@Suite struct ValueObjectTests {
    /// Objects of every size around the point where a position table is added.
    static let sizes = [0, 1, ValueObject.indexedCount - 1, ValueObject.indexedCount, ValueObject.indexedCount + 1, 40]

    static func numbered(_ count: Int) -> ValueObject {
        ValueObject((0..<count).map { ("key\($0)", Value.int(Int64($0))) })
    }

    @Test(arguments: sizes) func keysKeepInsertionOrderAndLookUpByName(count: Int) {
        var object = Self.numbered(count)
        #expect(object.count == count)
        #expect(object.keys == (0..<count).map { "key\($0)" })
        for offset in 0..<count { #expect(object["key\(offset)"] == .int(Int64(offset))) }
        #expect(object["missing"] == nil)
        object["added"] = .string("last")
        #expect(object.keys.last == "added")
        #expect(object["added"] == .string("last"))
        #expect(object.contains("added"))
    }

    @Test(arguments: sizes.filter { $0 > 0 }) func replacingKeepsThePositionAndRemovingClosesTheGap(count: Int) {
        var object = Self.numbered(count)
        object["key0"] = .string("replaced")
        #expect(object.keys.first == "key0")
        #expect(object["key0"] == .string("replaced"))
        object["key0"] = nil
        #expect(object.count == count - 1)
        #expect(object["key0"] == nil)
        #expect(!object.contains("key0"))
        // Every remaining key is still found where it now sits.
        for offset in 1..<count { #expect(object["key\(offset)"] == .int(Int64(offset))) }
        object["key0"] = .bool(true)
        #expect(object.keys.last == "key0")
    }

    @Test func repeatedKeysKeepTheFirstPositionAndTheLastValue() {
        let object = ValueObject([("a", .int(1)), ("b", .int(2)), ("a", .int(3))])
        #expect(object.keys == ["a", "b"])
        #expect(object["a"] == .int(3))
    }

    @Test(arguments: sizes) func equalityAndHashIgnoreOrder(count: Int) {
        let forward = Self.numbered(count)
        let backward = ValueObject((0..<count).reversed().map { ("key\($0)", Value.int(Int64($0))) })
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(Set([Value.object(forward), .object(backward)]).count == 1)
        var changed = backward
        changed["key0"] = .int(-1)
        #expect(count == 0 || changed != forward)
        var longer = forward
        longer["extra"] = .null
        #expect(longer != forward)
    }

    @Test func keysThatDifferOnlyInTheirBytesAreDistinctButCanonicalFormsMatch() {
        // Swift compares strings by canonical equivalence, as the dictionary this replaced did.
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        var object = ValueObject()
        object[composed] = .int(1)
        #expect(object[decomposed] == .int(1))
        for offset in 0..<ValueObject.indexedCount + 2 { object["k\(offset)"] = .null }
        #expect(object[decomposed] == .int(1))
    }

    @Test func sortedByKeyOrdersByBytes() {
        let object = ValueObject([("b", .int(1)), ("B", .int(2)), ("a", .int(3))] + (0..<10).map { ("z\($0)", Value.null) })
        let sorted = object.sortedByKey()
        #expect(sorted.keys == ["B", "a", "b"] + (0..<10).map { "z\($0)" })
        #expect(sorted["a"] == .int(3))
        #expect(sorted == object)
    }
}
