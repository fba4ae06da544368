import XfnTestSupport
import Foundation
import Testing
import XfnCore
import XfnYAML
@testable import XfnValidate

/// Real Configurations, Functions and Crossplane's own CRDs from the shared corpus.
@Suite struct CorpusTests {
    static func functionInputDirectories() throws -> [String] {
        let functions = try SharedData.directory("corpus/functions")
        return try FileManager.default.contentsOfDirectory(atPath: functions.path).sorted()
            .map { functions.appendingPathComponent($0).appendingPathComponent("package/input").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    static func run(_ inputs: [String]) async throws -> ValidationReport {
        let extensions = [try SharedData.directory("corpus/crossplane-core-crds").path] + (try functionInputDirectories())
        let options = ValidationRun.Options(mode: .sorted)
        return try await ValidationRun.run(schemaSources: try InputLocation.expand(extensions, extensions: ["yaml", "yml"]),
                                           inputs: try InputLocation.expand(inputs, extensions: ["yaml", "yml", "json"]), options: options)
    }

    static func describe(_ results: [ResourceResult]) -> String {
        results.flatMap { result in result.findings.map { "\(result.file): \(result.gvk), \(result.name): \($0.message)" } }
            .joined(separator: "\n")
    }

    @Test func configurationXRDsConvert() throws {
        let configurations = try SharedData.directory("corpus/configurations")
        var xrds = 0
        var claims = 0
        for location in try InputLocation.expand([configurations.path], extensions: ["yaml"]) {
            guard case .file(let path) = location else { continue }
            for document in try YAMLReader.read(Data(contentsOf: URL(fileURLWithPath: path)), file: path)
            where DocumentRole(of: document.value) == .compositeResourceDefinition {
                xrds += 1
                let crds = try CompositeResourceDefinition.customResourceDefinitions(from: document.value)
                let hasClaim = document.value["spec"]?["claimNames"] != nil
                #expect(crds.count == (hasClaim ? 2 : 1), "\(path)")
                if hasClaim { claims += 1 }
                let entries = try SchemaEntry.entries(ofXRD: document.value, origin: path)
                #expect(!entries.isEmpty)
            }
        }
        #expect(xrds >= 4)
        #expect(claims >= 1)
    }

    @Test func configurationExamplesValidate() async throws {
        let root = try SharedData.directory("corpus/configurations")
        let groups = [
            ["configuration-aws-network", "configuration-aws-eks"],
            ["platform-ref-aws"],
            ["platform-ref-aws-v2"],
        ]
        for group in groups {
            let report = try await Self.run(group.map { root.appendingPathComponent($0).path })
            let failures = report.results.filter { $0.status != .valid && $0.status != .missingSchema }
            #expect(failures.isEmpty, "\(group): \(Self.describe(failures))")
            // Every composite resource and claim example has a schema from the group's own XRDs.
            let composites = report.results.filter { $0.file.contains("/examples/") && $0.apiVersion.contains("platform.upbound.io") }
            #expect(!composites.isEmpty)
            if group == ["configuration-aws-network", "configuration-aws-eks"] {
                #expect(composites.allSatisfy { $0.status == .valid }, "\(composites.map { "\($0.file) \($0.status)" })")
            }
        }
    }

    @Test func functionCompositionsValidateAgainstCrossplanesCRDs() async throws {
        let report = try await Self.run([try SharedData.directory("corpus/functions").path])
        let compositions = report.results.filter { $0.gvk == GroupVersionKind.composition }
        #expect(compositions.count == 81)
        let failing = compositions.filter { $0.status != .valid }
        #expect(failing.isEmpty, "\(Self.describe(failing))")
        // patch-and-transform's inputs are checked against its Resources CRD, and pass.
        let patchInputs = report.results.filter { $0.apiVersion == "pt.fn.crossplane.io/v1beta1" && $0.kind == "Resources" }
        #expect(patchInputs.count >= 10)
        #expect(patchInputs.allSatisfy { $0.status == .valid }, "\(Self.describe(patchInputs))")
        // A KCL input whose params are not objects breaks its CRD, as crossplane would also report.
        let kcl = report.results.filter { $0.kind == "KCLInput" && $0.status == .invalid }
        #expect(kcl.contains { $0.findings.contains { $0.message.hasPrefix("spec.params.name: Invalid value: \"string\"") } })
    }
}
