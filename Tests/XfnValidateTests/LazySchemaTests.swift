import Foundation
import Testing
import XfnCore
import XfnSchema
@testable import XfnValidate

/// A warm run compiles the cached schemas recorded as compiling node by node; anything else is
/// compiled whole, so a broken schema is reported the same on every run.
@Suite struct LazySchemaTests {
    /// The fixture CRD with an invalid pattern on a property the fixture resource does not set.
    static var brokenCRD: String {
        Fixtures.testCRD + """

                      network:
                        type: object
                        properties:
                          cidr:
                            type: string
                            pattern: "(?=lookahead)"
        """
    }

    @Test func aBrokenNodeNoResourceReachesIsReportedOnEveryRun() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Self.brokenCRD)
        try workspace.write("test.yaml", Fixtures.test())
        var reports: [ValidationReport] = []
        for _ in 0..<3 {
            reports.append(try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true))
        }
        for report in reports {
            #expect(report.results.map(\.status) == [.invalid])
            let message = try #require(report.results.first?.findings.first?.message)
            #expect(message.contains("properties[network].properties[cidr].pattern"))
            #expect(message.contains("tests.test.org version v1alpha1"))
        }
        #expect(reports.map { $0.results.map(\.findings) }.allSatisfy { $0 == reports[0].results.map(\.findings) })
        #expect(reports.last?.statistics.cachedFiles == 1, "the warm runs used the cache")
        #expect(CompileRecord.read(workspace.cache.compiled.path).isEmpty, "a schema that does not compile is not recorded")
    }

    @Test func warmRunsCompileLazilyAndReportAsTheColdRun() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD(rule: (rule: "self.replicas < 5", message: "at most four")))
        try workspace.write("a.yaml", Fixtures.test(name: "a", replicas: "7", extra: "\n  unknown: 1"))
        try workspace.write("b.yaml", Fixtures.test(name: "b", replicas: "x"))
        try workspace.write("c.yaml", Fixtures.test(name: "c"))
        let rules = CELRuleEvaluator()
        let cold = try await workspace.run(sources: ["crd.yaml"], inputs: ["a.yaml", "b.yaml", "c.yaml"], cached: true, ruleEvaluator: rules)
        let record = CompileRecord.read(workspace.cache.compiled.path)
        #expect(record.count == 1, "the schema compiled whole once and was recorded")
        let warm = try await workspace.run(sources: ["crd.yaml"], inputs: ["a.yaml", "b.yaml", "c.yaml"], cached: true,
                                           ruleEvaluator: CELRuleEvaluator())
        #expect(warm.statistics.cachedFiles == 1)
        #expect(warm.results.map(\.status) == [.invalid, .invalid, .valid])
        #expect(warm.results.map(\.findings) == cold.results.map(\.findings))
        #expect(warm.results.first?.findings.contains { $0.message.contains("at most four") } == true)
        #expect(CompileRecord.read(workspace.cache.compiled.path) == record)
    }

    @Test func aRecordOfAnotherRevisionOrDamagedIsNotTrusted() throws {
        let workspace = try Workspace()
        let path = workspace.path("compiled.index")
        let checksum = String(repeating: "ab", count: 32)
        try workspace.write("compiled.index", "\(CompileRecord.header)\n\(checksum)\n")
        #expect(CompileRecord.read(path) == [checksum])
        try workspace.write("compiled.index", "xfn compiled schemas 0\n\(checksum)\n")
        #expect(CompileRecord.read(path).isEmpty)
        try workspace.write("compiled.index", "\(CompileRecord.header)\nnot-a-checksum\n")
        #expect(CompileRecord.read(path).isEmpty)
        try workspace.write("compiled.index", "\(CompileRecord.header)\n\(checksum)")
        #expect(CompileRecord.read(path).isEmpty, "a file cut short is ignored")
    }

    @Test func savingMergesWithWhatAnotherRunWrote() throws {
        let workspace = try Workspace()
        let first = CompileRecord(path: workspace.path("compiled.index"))
        let second = CompileRecord(path: workspace.path("compiled.index"))
        let a = String(repeating: "a", count: 64), b = String(repeating: "b", count: 64)
        #expect(!first.contains(a))
        #expect(!second.contains(b))
        first.add(a)
        second.add(b)
        try first.save()
        try second.save()
        #expect(CompileRecord.read(workspace.path("compiled.index")) == [a, b])
        #expect(first.contains(a))
        #expect(!second.hasAdditions)
    }

    @Test func anEarlierCacheLayoutIsRemovedWhenThisOneIsWritten() async throws {
        let workspace = try Workspace()
        try workspace.write("cache/schemas/v1/file-old.json", "{}\n")
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test())
        _ = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], cached: true)
        #expect(!FileManager.default.fileExists(atPath: workspace.path("cache/schemas/v1")))
        #expect(FileManager.default.fileExists(atPath: workspace.path("cache/schemas/v2/sources.index")))
    }

    @Test func cacheEntriesCarryTheirLineChecksum() throws {
        let workspace = try Workspace()
        let cache = workspace.cache
        let (entries, index) = try Fixtures.xrdEntries()
        try cache.store(key: "k", index: index, entries: entries)
        let read = try cache.entries(forKey: "k", origin: "xrd.yaml")
        #expect(read.count == entries.count)
        let lines = try String(contentsOfFile: cache.path("k"), encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(read.map(\.checksum) == lines.map { String($0.prefix(64)) })
        let one = try cache.entries(forKey: "k", origin: "xrd.yaml", kinds: [entries[1].gvk])
        #expect(one.map(\.gvk) == [entries[1].gvk])
    }
}
