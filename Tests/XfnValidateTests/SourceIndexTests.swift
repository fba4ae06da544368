import Foundation
import Testing
import XfnCore
@testable import XfnValidate

@Suite struct SourceIndexTests {
    /// Files stamped well in the past, so their records are not racy.
    private func backdate(_ path: String, seconds: TimeInterval = 3600) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -seconds)], ofItemAtPath: path)
    }

    private func prepared() throws -> Workspace {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test())
        try backdate(workspace.path("crd.yaml"))
        return workspace
    }

    @Test func aWarmRunFindsUnchangedFilesByTheirStamp() async throws {
        let workspace = try prepared()
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        let path = workspace.path("crd.yaml")
        let stamp = try #require(FileStamp(path: path))
        // A new cache value reads the index from disk, as the next run would.
        let hit = try #require(workspace.cache.sources.lookup(path, stamp: stamp))
        #expect(hit.key == SchemaCache.key(forContents: try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(hit.index.kinds == [GroupVersionKind(apiVersion: "test.org/v1alpha1", kind: "Test")])
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.statistics.cachedFiles == 1)
        #expect(warm.results.map(\.status) == cold.results.map(\.status))
    }

    @Test func aRacyRecordIsNotTrusted() async throws {
        let workspace = try prepared()
        let path = workspace.path("crd.yaml")
        // Stamped in the future: modified no earlier than it was read, so it could change unseen.
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)], ofItemAtPath: path)
        _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        let stamp = try #require(FileStamp(path: path))
        #expect(workspace.cache.sources.lookup(path, stamp: stamp) == nil)
    }

    @Test func aFileRewrittenWithTheSameSizeAndTimeIsReadAgain() async throws {
        let workspace = try prepared()
        let path = workspace.path("crd.yaml")
        let before = try #require(FileStamp(path: path))
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(cold.results.map(\.status) == [.valid])
        try await Task.sleep(for: .milliseconds(20))
        let changed = Fixtures.testCRD.replacingOccurrences(of: "type: integer", with: "type: string ")
        #expect(changed.utf8.count == Fixtures.testCRD.utf8.count)
        try workspace.write("crd.yaml", changed)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(before.modified) / 1e9)],
                                              ofItemAtPath: path)
        let after = try #require(FileStamp(path: path))
        #expect(after.size == before.size)
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.results.map(\.status) == [.invalid])
    }

    @Test func aDeletedFileIsNotAnsweredFromTheIndex() async throws {
        let workspace = try prepared()
        _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        try FileManager.default.removeItem(atPath: workspace.path("crd.yaml"))
        await #expect(throws: (any Error).self) {
            _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        }
    }

    @Test func aDamagedIndexIsIgnoredAndRewritten() async throws {
        let workspace = try prepared()
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        let index = workspace.cache.sources.path
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: index)))
        // One changed digit of a size: well-formed, but no longer what was written.
        let position = try #require(bytes.indices.first { bytes[$0] == UInt8(ascii: "\t") }) + 1
        bytes[position] = bytes[position] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try Data(bytes).write(to: URL(fileURLWithPath: index))
        #expect(SourceIndex.read(index).records.isEmpty)
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.results.map(\.findings) == cold.results.map(\.findings))
        #expect(SourceIndex.read(index).records[workspace.path("crd.yaml")] != nil)
    }

    /// A resource file is read on every run; its record stands while its stamp does, and a change
    /// to it is read, validated and recorded under the new contents' key.
    @Test func aChangedResourceIsReadAndRecordedAgain() async throws {
        let workspace = try prepared()
        try backdate(workspace.path("test.yaml"))
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(cold.results.map(\.status) == [.valid])
        let path = workspace.path("test.yaml")
        let recorded = try #require(SourceIndex.read(workspace.cache.sources.path).records[path])
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.results.map(\.status) == [.valid])
        #expect(SourceIndex.read(workspace.cache.sources.path).records[path]?.key == recorded.key)

        try workspace.write("test.yaml", Fixtures.test(replicas: "\"many\""))
        try backdate(path, seconds: 1800)
        let changed = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(changed.results.map(\.status) == [.invalid])
        let rerecorded = try #require(SourceIndex.read(workspace.cache.sources.path).records[path])
        #expect(rerecorded.key == SchemaCache.key(forContents: try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(rerecorded.key != recorded.key)
    }

    /// Lines are decoded when their file is looked up; one that does not decode is no record (its
    /// file is read again), and the others still are.
    @Test func aLineThatDoesNotDecodeIsNoRecord() async throws {
        let workspace = try prepared()
        _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        let index = workspace.cache.sources.path
        let text = try String(contentsOfFile: index, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeLast(2)  // the checksum line and the empty piece after it
        lines.append("\(workspace.path("broken.yaml"))\t1\t2\tnot-a-size\t4\t5\t6\tfile-abc\t{}")
        var body = lines.joined(separator: "\n") + "\n"
        body += "sha256 \(SHA256Hasher.digest(Data(body.utf8)).hex)\n"
        try body.write(toFile: index, atomically: true, encoding: .utf8)
        let records = SourceIndex.read(index).records
        #expect(records[workspace.path("broken.yaml")] == nil)
        #expect(records[workspace.path("crd.yaml")] != nil)
    }

    @Test func aDamagedSchemaEntryIsReadAgainFromItsSource() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test(replicas: "x"))
        try backdate(workspace.path("crd.yaml"))
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        let key = SchemaCache.key(forContents: try Data(contentsOf: URL(fileURLWithPath: workspace.path("crd.yaml"))))
        let entry = workspace.cache.path(key)
        let text = try String(contentsOfFile: entry, encoding: .utf8)
        #expect(text.contains("\"integer\""))
        try text.replacingOccurrences(of: "\"integer\"", with: "\"string\"").write(toFile: entry, atomically: true, encoding: .utf8)
        #expect(throws: ValidateError.self) { try workspace.cache.entries(forKey: key, origin: "crd.yaml") }
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.results.map(\.status) == [.invalid])
        #expect(warm.results.map(\.findings) == cold.results.map(\.findings))
        // Repaired: the entry reads back again.
        #expect(try workspace.cache.entries(forKey: key, origin: "crd.yaml").count == 1)
    }

    @Test func runsAtOnceShareTheCache() async throws {
        let workspace = try Workspace()
        for number in 0..<8 {
            try workspace.write("crds/crd\(number).yaml", Fixtures.testCRD.replacingOccurrences(of: "Test", with: "Test\(number)")
                .replacingOccurrences(of: "tests.test.org", with: "test\(number)s.test.org"))
            try backdate(workspace.path("crds/crd\(number).yaml"))
            try workspace.write("resources/r\(number).yaml", Fixtures.test(replicas: number % 2 == 0 ? "1" : "x")
                .replacingOccurrences(of: "kind: Test", with: "kind: Test\(number)"))
        }
        let sources = (0..<8).map { "crds/crd\($0).yaml" }
        let inputs = (0..<8).map { "resources/r\($0).yaml" }
        let reports = try await withThrowingTaskGroup(of: ValidationReport.self) { group in
            for _ in 0..<4 { group.addTask { try await workspace.run(sources: sources, inputs: inputs, cached: true) } }
            var all: [ValidationReport] = []
            for try await report in group { all.append(report) }
            return all
        }
        let expected = (0..<8).map { $0 % 2 == 0 ? ResourceResult.Status.valid : .invalid }
        for report in reports { #expect(report.results.map(\.status) == expected) }
        let warm = try await workspace.run(sources: sources, inputs: inputs, cached: true)
        #expect(warm.results.map(\.status) == expected)
        #expect(warm.statistics.cachedFiles == 8)
        #expect(SourceIndex.read(workspace.cache.sources.path).records.count >= 8)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.cache.directory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct SchemaStrippingTests {
    @Test func dropsProseOfSchemaNodesOnly() throws {
        let schema: Value = [
            "type": "object", "description": "the root",
            "properties": [
                "description": ["type": "string", "description": "a field named description", "default": "x"],
                "spec": ["type": "object", "title": "Spec", "example": ["a": 1],
                         "default": ["description": "kept"], "enum": [["description": "kept"]],
                         "items": ["description": "gone", "type": "string"],
                         "anyOf": [["description": "gone", "required": ["a"]]],
                         "additionalProperties": ["description": "gone", "type": "integer"]],
            ],
        ]
        let stripped = SchemaStripping.strip(schema)
        #expect(stripped["description"] == nil)
        #expect(stripped["properties"]?["description"]?["type"] == "string")
        #expect(stripped["properties"]?["description"]?["description"] == nil)
        #expect(stripped["properties"]?["description"]?["default"] == "x")
        let spec = try #require(stripped["properties"]?["spec"])
        #expect(spec["title"] == nil && spec["example"] == nil)
        #expect(spec["default"] == ["description": "kept"])
        #expect(spec["enum"] == [["description": "kept"]])
        #expect(spec["items"] == ["type": "string"])
        #expect(spec["anyOf"] == [["required": ["a"]]])
        #expect(spec["additionalProperties"] == ["type": "integer"])
    }
}

/// The source index's records hold each file's `SchemaCache.Index` as compact JSON, read back
/// without building values when it has the usual shape.
@Suite struct IndexDecodingTests {
    static func encoded(_ index: SchemaCache.Index) -> [UInt8] { CompactJSON.encode(index.json) }

    @Test func theUsualShapeReadsBackWhole() throws {
        var index = SchemaCache.Index()
        index.kinds = [GroupVersionKind(apiVersion: "s3.aws.upbound.io/v1beta1", kind: "Bucket"),
                       GroupVersionKind(apiVersion: "v1", kind: "ConfigMap")]
        index.documentKinds = [GroupVersionKind(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition")]
        index.packages = ["xpkg.crossplane.io/crossplane-contrib/provider-aws-s3:v2.0.0"]
        index.configurationPackages = ["xpkg.example.org/config:v1", "xpkg.example.org/other@sha256:00"]
        index.onlySources = true
        let decoded = try #require(SchemaCache.Index(compactJSON: Self.encoded(index)))
        #expect(decoded.kinds == index.kinds)
        #expect(decoded.documentKinds == index.documentKinds)
        #expect(decoded.packages == index.packages)
        #expect(decoded.configurationPackages == index.configurationPackages)
        #expect(decoded.onlySources)
        #expect(decoded.configurationMetas.isEmpty)
    }

    @Test func anEmptyIndexReadsBack() throws {
        let decoded = try #require(SchemaCache.Index(compactJSON: Self.encoded(SchemaCache.Index())))
        #expect(decoded.kinds.isEmpty && decoded.documentKinds.isEmpty && !decoded.onlySources && !decoded.contributes)
    }

    @Test func anythingElseIsLeftToTheJSONParser() throws {
        var escaped = SchemaCache.Index()
        escaped.kinds = [GroupVersionKind(apiVersion: "example.org/v1", kind: "Odd\"Kind")]
        #expect(SchemaCache.Index(compactJSON: Self.encoded(escaped)) == nil)
        let general = try #require(SchemaCache.Index(json: try ValueJSON.parse(String(decoding: Self.encoded(escaped), as: UTF8.self))))
        #expect(general.kinds == escaped.kinds)

        var withMeta = SchemaCache.Index()
        withMeta.configurationMetas = [["apiVersion": "meta.pkg.crossplane.io/v1", "kind": "Configuration"]]
        #expect(SchemaCache.Index(compactJSON: Self.encoded(withMeta)) == nil)

        for damaged in ["", "{}", "{\"kinds\":[", String(decoding: Self.encoded(SchemaCache.Index()), as: UTF8.self) + " "] {
            #expect(SchemaCache.Index(compactJSON: Array(damaged.utf8)) == nil)
        }
    }
}
