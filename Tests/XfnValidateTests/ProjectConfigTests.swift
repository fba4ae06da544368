import Foundation
import Testing
import XfnCore
@testable import XfnValidate

@Suite struct ProjectConfigTests {
    func parse(_ text: String) throws -> ProjectConfig {
        try ProjectConfig.parse(Data(text.utf8), file: ".xfn.yaml", root: "/repo")
    }

    @Test func readsEveryKey() throws {
        let config = try parse("""
            schemas:
              - apis/
              - path: crds/extra.yaml
              - package: xpkg.crossplane.io/crossplane-contrib/provider-nop:v0.4.0
            functions: functions.yaml
            examples:
              paths: [examples/, "tests/*.xr.yaml"]
              compositions:
                xbuckets.example: examples/bucket-*.yaml
            runtimes:
              function-a: {runtime: Development, target: localhost:9443}
            ignore: [charts/]
            output: junit
            offline: true
            """)
        #expect(config.schemaPaths == ["apis/", "crds/extra.yaml"])
        #expect(config.schemaPackages == ["xpkg.crossplane.io/crossplane-contrib/provider-nop:v0.4.0"])
        #expect(config.functionsFile == "functions.yaml")
        #expect(config.examplePaths.map(\.pattern) == ["examples/", "tests/*.xr.yaml"])
        #expect(config.exampleMappings == [.init(composition: "xbuckets.example", globs: [PathGlob("examples/bucket-*.yaml")])])
        #expect(config.runtimes["function-a"] == .init(kind: "Development", target: "localhost:9443"))
        #expect(config.ignore.map(\.pattern) == ["charts/"])
        #expect(config.output == "junit")
        #expect(config.offline)
        #expect(config.resolve("apis/") == "/repo/apis")
    }

    /// The documented example repository's configuration is itself valid and means what it says.
    @Test func exampleRepositoryConfigurationLoads() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples").path
        let config = try ProjectConfig.load(root + "/.xfn.yaml")
        #expect(config.functionsFile == "functions.yaml")
        #expect(config.runtimes["function-patch-and-transform"]?.kind == "Process")
        let plan = try await ProjectPlan.make(config: config, arguments: [root + "/apis/bucket/definition.yaml"], workingDirectory: root)
        #expect(plan.selection.files == ["apis/bucket/definition.yaml", "examples/bucket.yaml"])
        #expect(plan.renderPlan.jobs.map(\.composition) == ["xbuckets.aws.storage.example.org"])
        #expect(plan.schemaSources.map(\.description).contains("functions.yaml"))
    }

    @Test func emptyFileIsDefaults() throws {
        let config = try parse("# nothing yet\n")
        #expect(config.schemaPaths.isEmpty && !config.offline && config.output == nil)
    }

    @Test func unknownKeyNamesItsPositionAndTheKnownKeys() throws {
        let error = try #require(throws: ValidateError.self) {
            try parse("schemas: [apis/]\nexamples:\n  paths: [examples/]\n  globs: [x]\n")
        }
        #expect(error.message == ".xfn.yaml:4:3: unknown key \"globs\" in examples")
        #expect(error.hint == "known keys here: paths, compositions")
        #expect(error.exitCode == .usage)
        let top = try #require(throws: ValidateError.self) { try parse("schemas: [apis/]\nofline: true\n") }
        #expect(top.message == ".xfn.yaml:2:1: unknown key \"ofline\"")
        #expect(top.hint?.contains("offline") == true)
    }

    @Test func wrongTypesNameTheExpectedType() throws {
        let offline = try #require(throws: ValidateError.self) { try parse("offline: \"yes\"\n") }
        #expect(offline.message == ".xfn.yaml:1:1: offline must be true or false, not string")
        let schemas = try #require(throws: ValidateError.self) { try parse("schemas: apis/\n") }
        #expect(schemas.message == ".xfn.yaml:1:1: schemas must be a list, not string")
        let item = try #require(throws: ValidateError.self) { try parse("schemas:\n  - apis/\n  - 3\n") }
        #expect(item.message.hasPrefix(".xfn.yaml:3:5: schemas[1] must be a path or a mapping"))
        let format = try #require(throws: ValidateError.self) { try parse("output: xml\n") }
        #expect(format.message.contains("unknown output format \"xml\""))
        #expect(format.hint?.contains("junit") == true)
        let runtime = try #require(throws: ValidateError.self) { try parse("runtimes:\n  f: {runtime: Podman}\n") }
        #expect(runtime.message.hasPrefix(".xfn.yaml:2:"))
        let package = try #require(throws: ValidateError.self) { try parse("schemas:\n  - package: provider-nop\n") }
        #expect(package.message.contains("not a fully qualified reference"))
    }

    @Test func discoveryWalksUpAndStopsAtTheRoot() async throws {
        let workspace = try Workspace()
        try workspace.write("repo/.xfn.yaml", "output: json\n")
        try workspace.write("repo/apis/deep/x.yaml", "a: 1\n")
        let found = try #require(try ProjectConfig.discover(from: workspace.path("repo/apis/deep")))
        #expect(found.output == "json")
        #expect(found.root == URL(fileURLWithPath: workspace.path("repo")).standardizedFileURL.path)
        #expect(try ProjectConfig.discover(from: workspace.path("")) == nil)
    }

    @Test func globsMatchSegmentsAndDirectories() {
        #expect(PathGlob("examples/").matches("examples/a/b.yaml"))
        #expect(PathGlob("*.values.yaml").matches("charts/x/prod.values.yaml"))
        #expect(!PathGlob("*.values.yaml").matches("charts/x/prod.yaml"))
        #expect(PathGlob("apis/**/composition.yaml").matches("apis/composition.yaml"))
        #expect(PathGlob("apis/**/composition.yaml").matches("apis/a/b/composition.yaml"))
        #expect(!PathGlob("apis/*.yaml").matches("apis/a/b.yaml"))
        #expect(!PathGlob("examples").matches("apis/examples.yaml"))
    }
}
