import Foundation
import Testing
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// The Swift test function (Tests/TestFunction) behind `xfn render`: the two-step composition of
/// testdata/bench-render, composed and marked ready by the function, rendered as crossplane would.
@Suite(.serialized) struct TestFunctionTests {
    static func caseFile(_ file: String) -> String { "\(RenderFixtures.repositoryRoot)/testdata/bench-render/\(file)" }

    /// The test function built with the tests: `swift test` builds every executable of the package
    /// into the products directory that also holds the test bundle.
    static func binary() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("xfn-test-function").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw TestSupportError("xfn-test-function is not in the build products next to the test bundle",
                               hint: "build it with `swift build --product xfn-test-function`")
    }

    /// Starts the test function on a free loopback port with the flags a runtime passes.
    static func start() async throws -> (FunctionProcess, Int) {
        let port = try LoopbackPort.free()
        let process = try FunctionProcess(function: "xfn-test-function", executable: try binary(),
                                          arguments: ["--insecure", "--debug", "--address", "127.0.0.1:\(port)"],
                                          port: port, forwardStderr: false, environment: nil, workingDirectory: nil)
        do {
            try await process.waitUntilListening(timeout: .seconds(30))
        } catch {
            await process.stop()
            throw error
        }
        return (process, port)
    }

    static func developmentFunctions(_ xfn: XfnProcess, ports: (compose: Int, ready: Int)) throws -> String {
        try xfn.home.write(RenderFixtures.functionsYAML([
            ("function-compose", ["render.crossplane.io/runtime": "Development",
                                  "render.crossplane.io/runtime-development-target": "127.0.0.1:\(ports.compose)"],
             "xpkg.example.org/test/function-compose:v1"),
            ("function-auto-ready", ["render.crossplane.io/runtime": "Development",
                                     "render.crossplane.io/runtime-development-target": "127.0.0.1:\(ports.ready)"],
             "xpkg.example.org/test/function-auto-ready:v1"),
        ]), to: "functions.yaml")
    }

    @Test func composesAndMarksReadyThroughTheDevelopmentRuntime() async throws {
        let (compose, composePort) = try await Self.start()
        let (ready, readyPort) = try await Self.start()
        let xfn = try XfnProcess()
        let functions = try Self.developmentFunctions(xfn, ports: (composePort, readyPort))
        let result = try await xfn.run([
            "render", "-r", "-o", Self.caseFile("observed.yaml"),
            Self.caseFile("xr.yaml"), Self.caseFile("composition.yaml"), functions,
        ])
        await compose.stop()
        await ready.stop()
        #expect(result.status == 0, "\(result.stderrText)")
        let expected = try String(contentsOfFile: Self.caseFile("expected.yaml"), encoding: .utf8)
        #expect(result.stdoutText == expected)
    }

    @Test func everyResourceObservedReadyMakesTheXRAvailable() async throws {
        let (function, port) = try await Self.start()
        let xfn = try XfnProcess()
        let functions = try Self.developmentFunctions(xfn, ports: (port, port))
        // All three composed resources observed with Ready=True.
        let observed = try xfn.home.write(["vpc", "subnet-a", "gateway"].map { name in
            """
            apiVersion: ec2.example.org/v1
            kind: Thing
            metadata:
              name: net-\(name)
              annotations:
                crossplane.io/composition-resource-name: \(name)
            status:
              conditions:
              - type: Ready
                status: "True"

            """
        }.joined(separator: "---\n"), to: "observed.yaml")
        let result = try await xfn.run(["render", "-o", observed, Self.caseFile("xr.yaml"), Self.caseFile("composition.yaml"), functions])
        await function.stop()
        #expect(result.status == 0, "\(result.stderrText)")
        let xr = result.stdoutText.components(separatedBy: "\n---\n").first ?? ""
        #expect(xr.contains("""
              - lastTransitionTime: "2024-01-01T00:00:00Z"
                reason: Available
                status: "True"
                type: Ready
              - lastTransitionTime: "2024-01-01T00:00:00Z"
                reason: AllReady
                status: "True"
                type: ResourcesReady
              readyResources: 3
              totalResources: 3
            """), "\(xr)")
    }

    @Test func badInputIsAFatalResult() async throws {
        let (function, port) = try await Self.start()
        let xfn = try XfnProcess()
        let functions = try Self.developmentFunctions(xfn, ports: (port, port))
        let composition = try xfn.home.write(Self.oneStepComposition(name: "broken", step: "compose", input: """
            apiVersion: testing.xfn.dev/v1alpha1
            kind: Resources
            spec:
              resources:
              - name: vpc
                base:
                  apiVersion: ec2.example.org/v1
                  kind: VPC
                patches:
                - fromFieldPath: spec.region
                  toFieldPath: spec.forProvider[region
            """), to: "composition.yaml")
        let result = try await xfn.run(["render", Self.caseFile("xr.yaml"), composition, functions])
        await function.stop()
        #expect(result.status == 4)
        #expect(result.stdoutText.isEmpty)
        #expect(result.stderrText.contains(
            "pipeline step \"compose\" returned a fatal result: spec.resources[0].patches[0]: field path \"spec.forProvider[region\" has an unclosed or empty [ ]"),
            "\(result.stderrText)")
    }

    /// A Composition for XNetwork whose one pipeline step runs function-compose with `input`
    /// (YAML written from column 0).
    static func oneStepComposition(name: String, step: String, input: String) -> String {
        """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata:
          name: \(name)
        spec:
          compositeTypeRef:
            apiVersion: example.org/v1
            kind: XNetwork
          mode: Pipeline
          pipeline:
          - step: \(step)
            functionRef:
              name: function-compose
            input:
        \(input.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    /// patch-and-transform's input shape: the list at `resources`, patches typed FromCompositeFieldPath.
    static func patchAndTransformComposition(patchType: String) -> String {
        oneStepComposition(name: "pt", step: "patch-and-transform", input: """
        apiVersion: pt.fn.crossplane.io/v1beta1
        kind: Resources
        resources:
        - name: vpc
          base:
            apiVersion: ec2.example.org/v1
            kind: VPC
          patches:
          - type: \(patchType)
            fromFieldPath: spec.cidr
            toFieldPath: spec.forProvider.cidrBlock
        """)
    }

    @Test func readsPatchAndTransformInput() async throws {
        let (function, port) = try await Self.start()
        let xfn = try XfnProcess()
        let functions = try Self.developmentFunctions(xfn, ports: (port, port))
        let composition = try xfn.home.write(Self.patchAndTransformComposition(patchType: "FromCompositeFieldPath"), to: "pt.yaml")
        let rendered = try await xfn.run(["render", Self.caseFile("xr.yaml"), composition, functions])
        let unsupported = try xfn.home.write(Self.patchAndTransformComposition(patchType: "ToCompositeFieldPath"), to: "to.yaml")
        let refused = try await xfn.run(["render", Self.caseFile("xr.yaml"), unsupported, functions])
        await function.stop()
        #expect(rendered.status == 0, "\(rendered.stderrText)")
        #expect(rendered.stdoutText.contains("kind: VPC") && rendered.stdoutText.contains("cidrBlock: 10.0.0.0/16"), "\(rendered.stdoutText)")
        #expect(refused.status == 4)
        #expect(refused.stderrText.contains("resources[0].patches[0]: patch type ToCompositeFieldPath is not supported; only FromCompositeFieldPath is"),
                "\(refused.stderrText)")
    }

    @Test func sigtermStopsItPromptlyWithStatusZero() async throws {
        let port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = ["--insecure", "--address", "127.0.0.1:\(port)"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while !LoopbackPort.accepts(port), process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(LoopbackPort.accepts(port))
        process.terminate()
        let stopBy = clock.now + .seconds(5)
        while process.isRunning, clock.now < stopBy { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        #expect(!process.isRunning)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }

    @Test func unknownFlagIsAUsageError() async throws {
        let result = try await ProcessRunner.run(try Self.binary(), ["--listen", "x"], environment: nil, input: nil, timeout: .seconds(30))
        #expect(result.status == 2)
        #expect(result.stderrText.contains("unknown argument --listen"))
    }

    /// The process runtime: pulled from a registry, unpacked, run under bubblewrap. The test build of
    /// the function is linked dynamically, so its image also carries the libraries `ldd` names, at the
    /// paths the loader looks for them (the benchmark uses the static build instead).
    /// The test function as a function image (stripped, with the shared objects it loads), pushed to
    /// each of `repositories` as `:v1`; returns the references.
    static func pushImage(to registry: RegistryProcess, repositories: [String]) async throws -> [String] {
        let scratch = try TemporaryDirectory(prefix: "xfn-test-function-image")
        defer { scratch.remove() }
        let executable = scratch.appending("function")
        try await ProcessRunner.runChecked("strip", ["-o", executable, try binary()])
        let files = try await FunctionImageLayout.sharedLibraryFiles(of: executable)
        #expect(files.contains { $0.path.contains("libswiftCore") })
        let layout = scratch.appending("oci")
        try FunctionImageLayout.write(executable: executable, to: layout, tag: "v1", otherFiles: files)
        for repository in repositories {
            try await Skopeo.push(layout: layout, tag: "v1", to: registry, repository: repository, all: false)
        }
        return repositories.map { "\(registry.host)/\($0):v1" }
    }

    /// A one-step Composition whose input makes the function exit without answering.
    static let exitingComposition = oneStepComposition(name: "crash", step: "crash", input: """
        apiVersion: testing.xfn.dev/v1alpha1
        kind: Exit
        spec:
          message: out of cheese
          status: 7
        """)

    @Test func processRuntimeRunsTheFunctionFromAnImage() async throws {
        try await RegistryProcess.with { registry in
            _ = try await Self.pushImage(to: registry, repositories: ["test/function-compose", "test/function-auto-ready"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", [:], "\(registry.host)/test/function-compose:v1"),
                ("function-auto-ready", [:], "\(registry.host)/test/function-auto-ready:v1"),
            ]), to: "functions.yaml")
            let result = try await xfn.run([
                "render", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, "-r",
                "-o", Self.caseFile("observed.yaml"), Self.caseFile("xr.yaml"), Self.caseFile("composition.yaml"), functions,
            ], timeout: .seconds(300))
            #expect(result.status == 0, "\(result.stderrText)")
            let expected = try String(contentsOfFile: Self.caseFile("expected.yaml"), encoding: .utf8)
            #expect(result.stdoutText == expected)
        }
    }

    @Test func functionThatDiesMidRenderIsReportedWithItsOutput() async throws {
        try await RegistryProcess.with { registry in
            let images = try await Self.pushImage(to: registry, repositories: ["test/function-crash"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], images[0])]), to: "functions.yaml")
            let composition = try xfn.home.write(Self.exitingComposition, to: "composition.yaml")
            let result = try await xfn.run([
                "render", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, Self.caseFile("xr.yaml"), composition, functions,
            ], timeout: .seconds(300))
            #expect(result.status == 4, "\(result.stderrText)")
            #expect(result.stderrText.contains("function \"function-compose\" exited with status 7 during the render; its last output:"),
                    "\(result.stderrText)")
            #expect(result.stderrText.contains("out of cheese"), "\(result.stderrText)")
        }
    }
}
