import Foundation
import Testing
import XfnCore
@testable import XfnValidate

@Suite struct ChangeSelectionTests {
    let workspace: Workspace
    let config: ProjectConfig

    init() throws {
        workspace = try Workspace()
        config = try ProjectFixture.write(into: workspace)
    }

    func plan(_ changed: [String]) async throws -> ProjectPlan {
        try await ProjectPlan.make(config: config, arguments: changed, workingDirectory: workspace.path(""))
    }

    @Test func changingAnXRDSelectsTheExamplesOfItsKind() async throws {
        let plan = try await plan(["apis/bucket/definition.yaml"])
        #expect(plan.selection.files == ["apis/bucket/definition.yaml", "examples/bucket.yaml"])
        #expect(plan.selection.reasons["examples/bucket.yaml"]?.contains("XBucket.storage.example.org") == true)
        #expect(plan.selection.compositions.map(\.name) == ["xbuckets.example"])
        // The other XRD and the input CRD are still read, as schema sources only.
        let sources = plan.schemaSources.map(\.description)
        #expect(sources.contains("apis/queue/definition.yaml") && sources.contains("crds/resources.yaml"))
        #expect(!sources.contains("apis/bucket/composition.yaml"))
    }

    @Test func changingAnUnrelatedFileSelectsOnlyIt() async throws {
        try workspace.write("notes/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
        let plan = try await plan(["notes/configmap.yaml"])
        #expect(plan.selection.files == ["notes/configmap.yaml"])
        #expect(plan.inputs.map(\.description) == ["notes/configmap.yaml"])
        #expect(plan.selection.compositions.isEmpty)
    }

    @Test func changingACompositionSelectsItsExamplesAndPlansTheirRender() async throws {
        let plan = try await plan(["apis/bucket/composition.yaml"])
        #expect(plan.selection.files == ["apis/bucket/composition.yaml", "examples/bucket.yaml"])
        #expect(plan.renderPlan.jobs.map(\.example) == ["examples/bucket.yaml"])
        #expect(plan.renderPlan.jobs.map(\.compositionFile) == ["apis/bucket/composition.yaml"])
    }

    @Test func changingAFunctionInputCRDSelectsTheCompositionsUsingIt() async throws {
        let plan = try await plan(["crds/resources.yaml"])
        #expect(plan.selection.files == ["apis/bucket/composition.yaml", "crds/resources.yaml"])
    }

    @Test func changingAFunctionDocumentSelectsTheCompositionsCallingIt() async throws {
        try workspace.write("functions.yaml", """
            apiVersion: pkg.crossplane.io/v1
            kind: Function
            metadata: {name: function-resources}
            spec: {package: xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.8.2}
            ---
            apiVersion: pkg.crossplane.io/v1
            kind: Function
            metadata: {name: function-unused}
            spec: {package: xpkg.crossplane.io/crossplane-contrib/function-go-templating:v0.10.0}

            """)
        let plan = try await plan(["functions.yaml"])
        #expect(plan.selection.files == ["apis/bucket/composition.yaml", "examples/bucket.yaml", "functions.yaml"])
        #expect(plan.selection.reasons["apis/bucket/composition.yaml"] == "calls Function function-resources, which changed")
    }

    @Test func changedExampleSelectsTheCompositionsItRenders() async throws {
        let plan = try await plan(["examples/bucket.yaml"])
        #expect(plan.selection.files == ["apis/bucket/composition.yaml", "examples/bucket.yaml"])
        #expect(plan.selection.reasons["apis/bucket/composition.yaml"] == "renders examples/bucket.yaml, which changed")
        #expect(plan.renderExamples == ["xbuckets.example": ["examples/bucket.yaml"]])
        #expect(plan.selection.compositions.map(\.file) == ["apis/bucket/composition.yaml"])
    }

    @Test func ignoredAndToolingFilesAreNotSelected() async throws {
        try workspace.write(".pre-commit-config.yaml", "repos: []\n")
        let plan = try await plan(["examples/chart.values.yaml", ".pre-commit-config.yaml"])
        #expect(plan.selection.files.isEmpty)
        #expect(plan.passedOver == ["examples/chart.values.yaml", ".pre-commit-config.yaml"])
        #expect(plan.index.files["examples/chart.values.yaml"] == nil)
    }

    @Test func noArgumentsOrAChangedConfigSelectEverything() async throws {
        let all = try await plan([])
        #expect(all.selection.files == ["apis/bucket/composition.yaml", "apis/bucket/definition.yaml", "apis/queue/definition.yaml",
                                        "crds/resources.yaml", "examples/bucket.yaml", "examples/queue.yaml"])
        let configChanged = try await plan([".xfn.yaml"])
        #expect(configChanged.selection.files == all.selection.files)
    }

    @Test func explicitMappingsChooseTheExamples() async throws {
        let mapped = try ProjectConfig.parse(Data("""
            schemas: [apis/, crds/]
            examples:
              compositions:
                xbuckets.example: [examples/queue.yaml]
            runtimes:
              function-resources: {runtime: Docker}
            """.utf8), file: config.file, root: config.root)
        let plan = try await ProjectPlan.make(config: mapped, arguments: ["apis/bucket/composition.yaml"], workingDirectory: workspace.path(""))
        #expect(plan.selection.files == ["apis/bucket/composition.yaml", "examples/queue.yaml"])
        #expect(plan.renderPlan.jobs.first?.runtimes["function-resources"]?.kind == "Docker")
    }

    @Test func selectedFilesValidateWithTheProjectSchemas() async throws {
        try workspace.write("examples/bucket.yaml", ProjectFixture.bucket(region: "size: 3"))
        let plan = try await plan(["apis/bucket/definition.yaml"])
        let options = ValidationRun.Options(mode: .sorted)
        let report = try await ValidationRun.run(schemaSources: plan.schemaSources.map(absolute), inputs: plan.inputs.map(absolute), options: options)
        #expect(report.results.map(\.file) == [workspace.path("examples/bucket.yaml")])
        #expect(report.results.first?.status == .invalid)
        #expect(report.results.first?.findings.first?.message.contains("spec.region: Required value") == true)
    }

    func absolute(_ location: InputLocation) -> InputLocation {
        guard case .file(let path) = location, !path.hasPrefix("/") else { return location }
        return .file(workspace.path(path))
    }
}

@Suite struct ProjectIndexCacheTests {
    @Test func descriptionsAreKeptByContentAndFollowEdits() async throws {
        let workspace = try Workspace()
        let config = try ProjectFixture.write(into: workspace)
        // The cache sits inside the project, as a CI cache under the checkout does; it is not walked.
        let cache = workspace.path("cache")
        let cold = try await ProjectIndex.scan(config, cacheDirectory: cache)
        let stored = try FileManager.default.contentsOfDirectory(atPath: cache + "/schemas/project-v1")
        #expect(stored.count == cold.files.count)
        let warm = try await ProjectIndex.scan(config, cacheDirectory: cache)
        #expect(warm.files == cold.files)
        // Same contents under another name share an entry; an edit is a new entry.
        try workspace.write("examples/copy.yaml", ProjectFixture.bucket())
        try workspace.write("apis/queue/definition.yaml", ProjectFixture.xrd(group: "queue.example.org", kind: "XStream", plural: "xstreams"))
        let edited = try await ProjectIndex.scan(config, cacheDirectory: cache)
        #expect(edited.files["examples/copy.yaml"]?.uses == cold.files["examples/bucket.yaml"]?.uses)
        #expect(edited.files["examples/copy.yaml"]?.path == "examples/copy.yaml")
        #expect(edited.files["apis/queue/definition.yaml"]?.defines == [GroupKind(group: "queue.example.org", kind: "XStream")])
    }
}
