import Testing
import XfnCore
@testable import XfnYAML

@Suite struct WriterTests {
    @Test func blockStyleSortedKeysAndQuoting() {
        let value: Value = [
            "kind": "Thing",
            "apiVersion": "v1",
            "spec": [
                "answer": "yes",
                "version": "1.0",
                "nothing": "null",
                "empty": "",
                "count": 3,
                "ratio": 0.5,
                "big": 1e21,
                "list": ["a", 1, true, nil],
                "colon": "a: b",
                "multi": "line one\nline two\n",
                "map": [:],
                "arr": [],
            ],
        ]
        let text = YAMLWriter.write(value)
        #expect(text == """
        apiVersion: v1
        kind: Thing
        spec:
          answer: "yes"
          arr: []
          big: 1e+21
          colon: 'a: b'
          count: 3
          empty: ""
          list:
          - a
          - 1
          - true
          - null
          map: {}
          multi: |
            line one
            line two
          nothing: "null"
          ratio: 0.5
          version: "1.0"

        """)
    }

    @Test func awkwardKeysAndCharactersRoundTrip() throws {
        let pairs: [(String, Value)] = [
            ("multi\nline key", .string("v")),
            (String(repeating: "k", count: 200), .string("long key")),
            ("yes", .string("key that reads as a bool")),
            ("", .string("empty key")),
            ("<<", .string("not a merge")),
            ("ctl", .string("\u{01}\u{07}\u{1B}")),
            ("bom", .string("\u{FEFF}x")),
            ("nel", .string("a\u{85}b\u{2028}c")),
            ("astral", .string("𝄞 \u{10FFFF}")),
        ]
        let value = Value.object(ValueObject(pairs))
        let text = YAMLWriter.write(value)
        #expect(try YAMLReader.read(text, file: "k.yaml").first?.value == value, "\(text)")
    }

    @Test func timestampsAreQuoted() {
        #expect(YAMLWriter.write(["d": "2001-12-14"]) == "d: \"2001-12-14\"\n")
        #expect(YAMLWriter.write(["d": "2001-2-3T4:05:06.5Z"]) == "d: \"2001-2-3T4:05:06.5Z\"\n")
        #expect(YAMLWriter.write(["d": "2001-12-14 21:59:43.10"]) == "d: \"2001-12-14 21:59:43.10\"\n")
        #expect(YAMLWriter.write(["d": "2001-02-30"]) == "d: 2001-02-30\n")
        #expect(YAMLWriter.write(["d": "2001-12-14 21:59:43 +01:00"]) == "d: 2001-12-14 21:59:43 +01:00\n")
    }

    @Test func goYAMLKeyOrder() {
        let keys = ["a10", "a9", "b", "B", "a-b", "ab", "x1y", "x01y"]
        #expect(keys.sorted(by: YAMLWriter.keyPrecedes) == ["B", "a-b", "a9", "a10", "ab", "b", "x1y", "x01y"])
    }

    @Test func multiDocument() throws {
        let text = YAMLWriter.write(documents: [["a": 1], ["b": "on"]])
        #expect(text == "a: 1\n---\nb: \"on\"\n")
        #expect(try YAMLReader.read(text, file: "w.yaml").map(\.value) == [["a": 1], ["b": "on"]])
    }

    @Test func roundTrip() throws {
        let value: Value = [
            "strings": ["yes", "No", "~", "0x10", "0755", "1_000", "12:30", "2001-12-14", "- dash", "#hash", "a #b",
                        "trailing ", " leading", "tab\there", "quote\"s", "'single'", "ünïcödé", "emoji 🎉", "@at", "`tick`",
                        "{curly}", "[square]", "*star", "&amp", "!bang", "%pct", "|pipe", ">gt", "?q", ",comma", ""],
            "multiline": ["a\nb", "a\nb\n", "a\n\n", "\nleading newline", "  indented\nsecond", "trailing space \nx"],
            "numbers": [0, -1, .int(Int64.max), .int(Int64.min), 0.25, -1.5e-9, 3.14159, 1e300],
            "nested": ["deep": ["deeper": [["k": "v"], [1, [2, [3]]]]]],
            "long": .string(String(repeating: "word ", count: 40)),
            "bools": [true, false],
            "null": nil,
        ]
        let text = YAMLWriter.write(value)
        let back = try #require(try YAMLReader.read(text, file: "rt.yaml").first).value
        #expect(back == value, "\(text)")
    }
}

@Suite struct WriterWidthTests {
    static let long: Value = ["text": .string(Array(repeating: "lorem ipsum", count: 12).joined(separator: " "))]

    @Test func foldsLongPlainStringsAt80LikeGoYAML() throws {
        let text = YAMLWriter.write(Self.long)
        #expect(text.split(separator: "\n").count > 1)
        #expect(text.split(separator: "\n").allSatisfy { $0.count < 100 })
        #expect(try YAMLReader.read(text, file: "w.yaml").first?.value == Self.long)
    }

    @Test func unlimitedWidthKeepsOneLine() throws {
        let text = YAMLWriter.write(Self.long, options: .init(width: -1))
        #expect(text.split(separator: "\n").count == 1)
        #expect(try YAMLReader.read(text, file: "w.yaml").first?.value == Self.long)
    }
}
