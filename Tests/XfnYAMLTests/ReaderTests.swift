import Foundation
import Testing
import XfnCore
@testable import XfnYAML

@Suite struct ReaderTests {
    @Test func positionsOfKeysAndItems() throws {
        let text = """
        apiVersion: v1
        kind: Thing
        spec:
          forProvider:
            region: us-east-1
          items:
            - name: a
            - name: b
              size: 3
        """
        let document = try #require(try YAMLReader.read(text, file: "p.yaml").first)
        #expect(document.positions[.root] == SourcePosition(line: 1, column: 1))
        #expect(document.positions[FieldPath(parsing: "spec")] == SourcePosition(line: 3, column: 1))
        #expect(document.positions[FieldPath(parsing: "spec.forProvider.region")] == SourcePosition(line: 5, column: 5))
        #expect(document.positions[FieldPath(parsing: "spec.items[1]")] == SourcePosition(line: 8, column: 7))
        #expect(document.positions[FieldPath(parsing: "spec.items[1].size")] == SourcePosition(line: 9, column: 7))
        #expect(document.positions.nearest(FieldPath(parsing: "spec.forProvider.missing")) == SourcePosition(line: 4, column: 3))
        #expect(FieldPath.root.child("spec").child("items").index(2).child("name").description == "spec.items[2].name")
    }

    @Test func duplicateKeysNameBothPositions() throws {
        let text = "a: 1\nb:\n  c: 1\n  c: 2\n"
        do {
            _ = try YAMLReader.read(text, file: "dup.yaml")
            Issue.record("duplicate key accepted")
        } catch let error as YAMLError {
            #expect(error.kind == .duplicateKey(first: SourcePosition(line: 3, column: 3)))
            #expect(error.position == SourcePosition(line: 4, column: 3))
            #expect(error.message == "cannot parse YAML dup.yaml:4:3: mapping key \"c\" already defined at line 3 column 3")
        }
    }

    @Test func duplicateKeysCanBeAllowed() throws {
        let documents = try YAMLReader.read("a: 1\nb: 3\na: 2\n", file: "dup.yaml", options: .init(allowDuplicateKeys: true))
        #expect(documents.first?.value == ["a": 2, "b": 3])
        // The value that counts is the last one, and so is its position.
        #expect(documents.first?.positions[FieldPath.root.child("a")] == SourcePosition(line: 3, column: 1))
        #expect(documents.first?.positions[FieldPath.root.child("b")] == SourcePosition(line: 2, column: 1))
    }

    @Test func anchorsAliasesAndMerge() throws {
        let text = """
        base: &base
          cpu: 1
          mem: 2
        copy: *base
        merged:
          <<: *base
          mem: 4
        list: [&x hello, *x]
        """
        let value = try #require(try YAMLReader.read(text, file: "a.yaml").first).value
        #expect(value["copy"] == value["base"])
        #expect(value["merged"] == ["cpu": 1, "mem": 4])
        #expect(value["list"] == ["hello", "hello"])
    }

    @Test func aliasBombIsRefusedQuickly() throws {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try YAMLReader.read(text, file: "bomb.yaml")
            Issue.record("billion laughs accepted")
        } catch let error as YAMLError {
            #expect(error.kind == .aliasLimit)
            #expect(error.message.contains("bomb.yaml:"))
        }
        // Refused at the limit, long before materialising the billion nodes would end.
        #expect(clock.now - started < .seconds(20))
    }

    @Test func nodeLimitWithoutAliases() throws {
        let text = "[" + Array(repeating: "1", count: 50).joined(separator: ", ") + "]"
        do {
            _ = try YAMLReader.read(text, file: "big.yaml", options: .init(maximumNodes: 20))
            Issue.record("limit not enforced")
        } catch let error as YAMLError {
            #expect(error.kind == .tooLarge)
        }
        #expect(try YAMLReader.read(text, file: "big.yaml", options: .init(maximumNodes: 51)).count == 1)
    }

    @Test func nonFiniteNumbersCanBeRefusedAsKubernetesDoes() throws {
        do {
            _ = try YAMLReader.read("a: 1\nb: .inf\n", file: "inf.yaml", options: .init(rejectNonFiniteNumbers: true))
            Issue.record(".inf accepted")
        } catch let error as YAMLError {
            #expect(error.message == "cannot parse YAML inf.yaml:2:4: json: unsupported value: +Inf")
        }
        #expect(try YAMLReader.read("b: '.inf'\n", file: "inf.yaml", options: .init(rejectNonFiniteNumbers: true)).first?.value == ["b": ".inf"])
    }

    @Test func unknownAnchor() throws {
        #expect(throws: YAMLError.self) { try YAMLReader.read("a: *nope\n", file: "x.yaml") }
    }

    @Test func malformedInputReportsFileLineColumn() throws {
        let text = "a: 1\nb: [1, 2\nc: 3\n"
        do {
            _ = try YAMLReader.read(text, file: "bad.yaml")
            Issue.record("malformed YAML accepted")
        } catch let error as YAMLError {
            #expect(error.kind == .syntax)
            let position = try #require(error.position)
            #expect(position.line == 3)
            #expect(error.message.hasPrefix("cannot parse YAML bad.yaml:3:"))
            #expect(error.message.contains("did not find expected ',' or ']'"))
        }
        do {
            _ = try YAMLReader.read("a: b: c\n", file: "bad2.yaml")
            Issue.record("malformed YAML accepted")
        } catch let error as YAMLError {
            #expect(error.message.hasPrefix("cannot parse YAML bad2.yaml:1:5: mapping values are not allowed in this context"))
        }
    }

    @Test func multiDocumentStreamSkipsEmptyDocuments() throws {
        let text = """
        ---
        a: 1
        ---
        ---
        # only a comment
        ---
        b: 2
        ...
        ---
        c: 3
        """
        let documents = try YAMLReader.read(text, file: "m.yaml")
        #expect(documents.map(\.value) == [["a": 1], ["b": 2], ["c": 3]])
        #expect(documents.map(\.index) == [0, 3, 4])
        #expect(documents[1].positions[FieldPath(parsing: "b")] == SourcePosition(line: 7, column: 1))
        #expect(try YAMLReader.read("", file: "e.yaml").isEmpty)
    }

    @Test func jsonInput() throws {
        let json = #"{"apiVersion": "v1", "kind": "List", "items": [{"a": 1.5, "b": null, "c": "yes", "d": true}], "n": 1e2}"#
        let document = try #require(try YAMLReader.read(json, file: "j.json").first)
        #expect(document.value == ["apiVersion": "v1", "kind": "List", "items": [["a": 1.5, "b": nil, "c": "yes", "d": true]], "n": 100])
        #expect(document.value == (try ValueJSON.parse(json).normalisedLikeKubernetes))
        #expect(document.positions[FieldPath(parsing: "items[0].c")] == SourcePosition(line: 1, column: 70))
    }

    @Test func deepNestingIsRefused() throws {
        let text = String(repeating: "[", count: 2000) + String(repeating: "]", count: 2000)
        #expect(throws: YAMLError.self) { try YAMLReader.read(text, file: "deep.yaml") }
    }

    @Test func readsFilesOffThePool() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xfn-yaml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("f.yaml")
        try Data("a: 1\n---\nb: 2\n".utf8).write(to: url)
        let documents = try await YAMLReader.read(contentsOf: url)
        #expect(documents.count == 2)
        #expect(documents[0].file == url.path)
        do {
            _ = try await YAMLReader.read(contentsOf: directory.appendingPathComponent("missing.yaml"))
            Issue.record("missing file read")
        } catch let error as FileError {
            #expect(error.code == ENOENT)
            #expect(error.message.hasSuffix("missing.yaml: No such file or directory"))
        }
        do {
            _ = try await YAMLReader.read(contentsOf: directory)
            Issue.record("directory read as a file")
        } catch let error as FileError {
            #expect(error.code == EISDIR)
        }
    }
}

extension Value {
    /// JSON numbers after Kubernetes' decode: whole doubles are integers.
    var normalisedLikeKubernetes: Value {
        switch self {
        case .double(let d): ScalarResolver.number(d)
        case .array(let a): .array(a.map(\.normalisedLikeKubernetes))
        case .object(let o): .object(ValueObject(o.map { ($0.key, $0.value.normalisedLikeKubernetes) }))
        default: self
        }
    }
}

@Suite struct EncodingTests {
    @Test func byteOrderMarkAndCRLF() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb:\r\n  c: two\r\n".utf8)
        let document = try #require(try YAMLReader.read(Data(bytes), file: "crlf.yaml").first)
        #expect(document.value == ["a": 1, "b": ["c": "two"]])
        #expect(document.positions[FieldPath(parsing: "b.c")] == SourcePosition(line: 3, column: 3))
    }

    @Test func tabsInIndentationAreErrors() throws {
        #expect(throws: YAMLError.self) { try YAMLReader.read("a:\n\tb: 1\n", file: "tab.yaml") }
    }
}
