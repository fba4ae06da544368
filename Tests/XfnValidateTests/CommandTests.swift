import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// The built `xfn` binary, end to end: output formats, exit statuses, standard input, aliases.
@Suite struct CommandTests {
    /// `xfn` beside the test bundle in the build directory.
    static var binary: String {
        get throws {
            var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent("xfn").path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory.deleteLastPathComponent()
            }
            Issue.record("the xfn binary is not built next to the tests; run `swift build --product xfn` first")
            throw CancellationError()
        }
    }

    let workspace: Workspace

    init() throws {
        workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("good.yaml", Fixtures.test(name: "good"))
        try workspace.write("bad.yaml", Fixtures.test(name: "bad", replicas: "\"3\"", extra: "\n  colour: blue"))
        try workspace.write("unknown.yaml", "apiVersion: nosuch.example.org/v1\nkind: Unknown\nmetadata: {name: u}\n")
    }

    func xfn(_ arguments: [String], input: Data? = nil) async throws -> ProcessResult {
        let home = workspace.path("home")
        let environment = [
            "HOME": home, "XDG_CACHE_HOME": home + "/.cache", "XDG_CONFIG_HOME": home + "/.config", "DOCKER_CONFIG": home + "/.docker",
            "XFN_CACHE_DIR": workspace.path("cache"), "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            // Never Crossplane's image from the internet.
            "XFN_CROSSPLANE_IMAGE": "",
        ]
        return try await ProcessRunner.run(try Self.binary, arguments, environment: environment,
                                           currentDirectory: workspace.directory.path, input: input)
    }

    @Test func textLinesCarryPositionsAndFailuresExitOne() async throws {
        let result = try await xfn(["validate", "crd.yaml", "good.yaml", "bad.yaml", "unknown.yaml"])
        #expect(result.status == 1)
        #expect(result.stdoutText == """
            good.yaml:1:1: [✓] test.org/v1alpha1, Kind=Test, good validated successfully
            bad.yaml:6:3: [x] schema validation error test.org/v1alpha1, Kind=Test, bad : spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
            bad.yaml:7:3: [x] schema validation error test.org/v1alpha1, Kind=Test, bad : spec.colour: Invalid value: "colour": unknown field: "colour"
            unknown.yaml:1:1: [!] could not find CRD/XRD for: nosuch.example.org/v1, Kind=Unknown
            Total 3 resources: 1 missing schemas, 1 success cases, 1 failure cases

            """)
        #expect(result.stderrText == "xfn: error: cannot validate resources: could not validate all resources\n")
    }

    @Test func missingSchemasExitOneOnlyWithTheFlag() async throws {
        let lenient = try await xfn(["validate", "--skip-success-results", "crd.yaml", "good.yaml", "unknown.yaml"])
        #expect(lenient.status == 0)
        #expect(!lenient.stdoutText.contains("[✓]"))
        #expect(lenient.stdoutText.hasSuffix("Total 2 resources: 1 missing schemas, 1 success cases, 0 failure cases\n"))
        let strict = try await xfn(["validate", "--error-on-missing-schemas", "crd.yaml", "good.yaml", "unknown.yaml"])
        #expect(strict.status == 1)
        #expect(strict.stderrText.contains("schema(s) missing"))
    }

    @Test func jsonFollowsCrossplanesShapeWithPositions() async throws {
        let result = try await xfn(["validate", "-o", "json", "--extensions", "crd.yaml", "bad.yaml", "good.yaml"])
        #expect(result.status == 1)
        let json = try ValueJSON.parse(result.stdout)
        #expect(json["summary"] == ["total": 2, "valid": 1, "invalid": 1, "missingSchemas": 0])
        let bad = try #require(json["resources"]?.arrayValue?.first)
        #expect(bad["status"] == "invalid")
        #expect(bad["file"] == "bad.yaml")
        let errors = try #require(bad["errors"]?.arrayValue)
        #expect(errors.map { $0["type"] } == ["schema", "unknownField"])
        #expect(errors.first?["field"] == "spec.replicas")
        #expect(errors.first?["line"] == 6)
        #expect(errors.first?["column"] == 3)
        #expect(json["resources"]?.arrayValue?.last?["errors"] == nil)
    }

    @Test func githubAnnotationsPointAtTheField() async throws {
        let result = try await xfn(["validate", "-o", "github", "--extensions", "crd.yaml", "bad.yaml", "unknown.yaml"])
        #expect(result.status == 1)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == #"::error file=bad.yaml,line=6,col=3::schema validation error test.org/v1alpha1, Kind=Test, bad : spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#)
        #expect(lines.contains("::warning file=unknown.yaml,line=1,col=1::could not find CRD/XRD for: nosuch.example.org/v1, Kind=Unknown"))
    }

    @Test func standardInputIsADash() async throws {
        let result = try await xfn(["validate", "--extensions", "crd.yaml", "-"], input: Data(Fixtures.test(name: "piped").utf8))
        #expect(result.status == 0)
        #expect(result.stdoutText.hasPrefix("<stdin>:1:1: [✓] test.org/v1alpha1, Kind=Test, piped validated successfully\n"))
    }

    @Test func malformedYAMLIsAFindingNotACrash() async throws {
        try workspace.write("broken.yaml", "apiVersion: test.org/v1alpha1\nkind: Test\nmetadata: {name: [oops\n")
        let result = try await xfn(["validate", "--extensions", "crd.yaml", "broken.yaml"])
        #expect(result.status == 1)
        #expect(result.stdoutText.hasPrefix("broken.yaml:4:1: [x] cannot parse YAML: "))
        #expect(result.stdoutText.contains("Total 1 resources: 0 missing schemas, 0 success cases, 1 failure cases"))
    }

    @Test func betaValidateIsCrossplanesForm() async throws {
        let expected = """
            [✓] test.org/v1alpha1, Kind=Test, good validated successfully
            [x] schema validation error test.org/v1alpha1, Kind=Test, bad : spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"
            [x] schema validation error test.org/v1alpha1, Kind=Test, bad : spec.colour: Invalid value: "colour": unknown field: "colour"
            [!] could not find CRD/XRD for: nosuch.example.org/v1, Kind=Unknown
            Total 3 resources: 1 missing schemas, 1 success cases, 1 failure cases

            """
        for command in [["beta", "validate"], ["resource", "validate"]] {
            let result = try await xfn(command + ["crd.yaml", "good.yaml,bad.yaml,unknown.yaml"])
            #expect(result.status == 1)
            #expect(result.stdoutText == expected)
        }
        let positioned = try await xfn(["beta", "validate", "--positions", "crd.yaml", "bad.yaml"])
        #expect(positioned.stdoutText.hasPrefix("bad.yaml:6:3: [x] schema validation error"))
    }

    @Test func betaValidateReadsStandardInputButNotTwice() async throws {
        let piped = try await xfn(["beta", "validate", "crd.yaml", "-"], input: Data(Fixtures.test(name: "piped").utf8))
        #expect(piped.status == 0)
        #expect(piped.stdoutText == "[✓] test.org/v1alpha1, Kind=Test, piped validated successfully\nTotal 1 resources: 0 missing schemas, 1 success cases, 0 failure cases\n")
        let twice = try await xfn(["beta", "validate", "-", "-"])
        #expect(twice.status == 2)
        #expect(twice.stderrText.contains("cannot use stdin for both extensions and resources"))
    }

    @Test func packagesThatCannotBeReadAreWarningsOffline() async throws {
        try workspace.write("functions.yaml", """
            apiVersion: pkg.crossplane.io/v1
            kind: Function
            metadata: {name: function-absent}
            spec:
              package: registry.invalid/functions/function-absent:v1.0.0
            """)
        let result = try await xfn(["validate", "--offline", "--extensions", "crd.yaml", "functions.yaml", "good.yaml"])
        #expect(result.status == 0)
        #expect(result.stderrText.hasPrefix("xfn: warning: cannot read the schemas of package registry.invalid/functions/function-absent:v1.0.0"))
        #expect(result.stdoutText.hasSuffix("Total 1 resources: 0 missing schemas, 1 success cases, 0 failure cases\n"))
        // crossplane's form stops instead.
        let alias = try await xfn(["beta", "validate", "--offline", "crd.yaml,functions.yaml", "good.yaml"])
        #expect(alias.status != 0)
        #expect(alias.stderrText.hasPrefix("xfn: error: "))
    }

    @Test func schemaCacheIsWrittenUnderTheCacheDirectory() async throws {
        let first = try await xfn(["validate", "--extensions", "crd.yaml", "good.yaml"])
        #expect(first.status == 0)
        let stored = try FileManager.default.contentsOfDirectory(atPath: workspace.path("cache/schemas/v2"))
        #expect(stored.contains { $0.hasPrefix("file-") && $0.hasSuffix(".json") })
        let cleaned = try await xfn(["validate", "--clean-cache", "--extensions", "crd.yaml", "good.yaml"])
        #expect(cleaned.stdoutText == first.stdoutText)
    }
}
