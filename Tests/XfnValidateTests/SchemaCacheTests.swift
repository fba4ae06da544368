import Foundation
import Testing
import XfnCore
@testable import XfnValidate

@Suite struct SchemaCacheTests {
    @Test func warmRunReadsSchemasFromTheCache() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("xrd.yaml", Fixtures.xrd(claim: true))
        try workspace.write("test.yaml", Fixtures.test(replicas: "x"))
        let cold = try await workspace.run(sources: ["crd.yaml", "xrd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(cold.statistics.parsedFiles == 3)
        #expect(cold.statistics.cachedFiles == 0)
        let warm = try await workspace.run(sources: ["crd.yaml", "xrd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(warm.statistics.parsedFiles == 1)
        #expect(warm.statistics.cachedFiles == 2)
        #expect(warm.statistics.compiledSchemas == 1)
        #expect(warm.results.map(\.findings) == cold.results.map(\.findings))
        #expect(warm.results.first?.status == .invalid)
    }

    @Test func schemaOnlyInputsAreSkippedWhenCachedButResourcesAreNot() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("both.yaml", Fixtures.testCRD + "\n---\n" + Fixtures.test())
        _ = try await workspace.run(inputs: ["crd.yaml", "both.yaml"], cached: true)
        let warm = try await workspace.run(inputs: ["crd.yaml", "both.yaml"], cached: true)
        #expect(warm.statistics.cachedFiles == 1)
        #expect(warm.statistics.parsedFiles == 1)
        #expect(warm.results.map(\.status) == [.valid])
    }

    @Test func crossplanesFormReadsCachedSchemaFilesGivenAsResources() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["crd.yaml"], mode: .crossplane, cached: true)
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["crd.yaml"], mode: .crossplane, cached: true)
        #expect(cold.results.map(\.status) == [.missingSchema])
        #expect(warm.results.map(\.status) == [.missingSchema])
    }

    @Test func changedContentIsReadAgain() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test())
        _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        try workspace.write("crd.yaml", Fixtures.testCRD.replacingOccurrences(of: "type: integer", with: "type: string"))
        let changed = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(changed.statistics.cachedFiles == 0)
        #expect(changed.results.first?.status == .invalid)
    }

    @Test func storedEntriesRoundTrip() throws {
        let workspace = try Workspace()
        let cache = workspace.cache
        let xrd = try Fixtures.xrdEntries()
        let entries = xrd.entries
        var index = xrd.index
        index.packages = ["example.org/p:v1"]
        try cache.store(key: "file-test", index: index, entries: entries)
        let read = try #require(cache.index(forKey: "file-test"))
        #expect(read.kinds == index.kinds)
        #expect(read.packages == ["example.org/p:v1"])
        let back = try cache.entries(forKey: "file-test", origin: "xrd.yaml")
        #expect(back.map(\.schema) == entries.map { SchemaStripping.strip($0.schema) })
        #expect(back.map(\.crdName) == ["xtests.test.org", "testclaims.test.org"])

        var refreshing = cache
        refreshing.ignoresStoredEntries = true
        #expect(refreshing.index(forKey: "file-test") == nil)
        try cache.clean()
        #expect(cache.index(forKey: "file-test") == nil)
    }
}

@Suite struct CompactJSONTests {
    @Test func writesWhatValueJSONWritesAndReadsBack() throws {
        let value: Value = ["a": [1, 2.5, -3, true, nil], "quote\"d": "line\nbreak\t\u{01}é✓", "n": 1e300, "empty": [:], "list": []]
        let bytes = CompactJSON.encode(value)
        #expect(String(decoding: bytes, as: UTF8.self) == ValueJSON.serialize(value))
        #expect(try ValueJSON.parse(Data(bytes)) == value)
    }
}
