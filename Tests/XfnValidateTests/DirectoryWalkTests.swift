import Foundation
import Testing
import XfnCore
@testable import XfnValidate

@Suite struct DirectoryWalkTests {
    @Test func walksAsTheFileManagerEnumeratorDid() throws {
        let workspace = try Workspace()
        for name in ["a/b/f.yaml", ".hidden/h.yaml", ".git/x/g.yaml", "real/r.YAML", "dir.yaml/in.yml", "notes.txt", ".yaml", "x..yaml"] {
            try workspace.write(name, "a: 1\n")
        }
        let root = workspace.path("")
        try FileManager.default.createSymbolicLink(atPath: root + "a/linkdir", withDestinationPath: "../real")
        try FileManager.default.createSymbolicLink(atPath: root + "linkfile.yaml", withDestinationPath: "real/r.YAML")
        try FileManager.default.createSymbolicLink(atPath: root + "broken.yaml", withDestinationPath: "nowhere")
        let found = try InputLocation.expand([workspace.path("")], extensions: ["yaml", "yml"]).map(\.description)
        let expected = [".hidden/h.yaml", "a/b/f.yaml", "dir.yaml/in.yml", "linkfile.yaml", "real/r.YAML", "x..yaml"].map { root + $0 }
        #expect(found == expected)
        let withoutSlash = String(root.dropLast())
        #expect(try InputLocation.expand([withoutSlash], extensions: ["yaml"]).map(\.description)
            == [".hidden/h.yaml", "a/b/f.yaml", "linkfile.yaml", "real/r.YAML", "x..yaml"].map { withoutSlash + "/" + $0 })
    }

    @Test func extensionsAreReadAsNSStringReadsThem() {
        #expect(DirectoryWalk.matches("a.b.yaml", ["yaml"]))
        #expect(DirectoryWalk.matches("A.YML", ["yml"]))
        #expect(!DirectoryWalk.matches(".yaml", ["yaml"]))
        #expect(DirectoryWalk.matches("..yaml", ["yaml"]))
        #expect(!DirectoryWalk.matches("foo.", ["yaml"]))
        #expect(DirectoryWalk.matches("noext", [""]))
    }
}

@Suite struct CacheJSONTests {
    /// The schema cache reads its lines with `ValueJSON`; its fast paths must read what the
    /// general ones did.
    @Test func numbersAndStringsReadAsBefore() throws {
        let text = #"{"a":0,"b":-0,"c":12345678901234567,"d":123456789012345678901,"e":1.5,"f":-2e3,"g":007,"h":"plain","i":"esc\"aped\\\n\u00e9\ud83d\ude00","j":"","k":[-1,9223372036854775807,-9223372036854775808]}"#
        let value = try ValueJSON.parse(text)
        #expect(value["a"] == .int(0))
        #expect(value["b"] == .int(0))
        #expect(value["c"] == .int(12345678901234567))
        #expect(value["d"] == .double(Double("123456789012345678901")!))
        #expect(value["e"] == .double(1.5))
        #expect(value["f"] == .double(-2000))
        #expect(value["g"] == .int(7))
        #expect(value["h"] == .string("plain"))
        #expect(value["i"] == .string("esc\"aped\\\n\u{e9}\u{1F600}"))
        #expect(value["j"] == .string(""))
        #expect(value["k"] == [.int(-1), .int(Int64.max), .int(Int64.min)])
        #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse("[-]") }
        #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse("\"tab\there\"") }
        #expect(throws: ValueJSON.SyntaxError.self) { try ValueJSON.parse("\"open") }
    }
}
