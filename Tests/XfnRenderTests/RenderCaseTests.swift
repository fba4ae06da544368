import Foundation
import Testing
import XfnCore
import XfnFunctions
@testable import XfnRender

/// Renders through real functions written with crossplane's Python SDK, reached over gRPC with the
/// development runtime, and compares the stream with expected files written from crossplane
/// render's output rules.
@Suite(.serialized) struct RenderCaseTests {
    static func render(_ inputs: RenderInputs, _ options: RenderOptions = RenderOptions()) async throws -> String {
        let configuration = RuntimeConfiguration(timeout: .seconds(20))
        let documents = try await RunningFunctions.withRunningFunctions(inputs.functions, configuration: configuration) { runner in
            try await Renderer.render(inputs: inputs, options: options, runner: runner)
        }
        return RenderOutput.yaml(documents)
    }

    static func expected(_ name: String) throws -> String {
        try String(contentsOfFile: TestPaths.caseFile(name, "expected.yaml"), encoding: .utf8)
    }

    @Test func composesResourcesFromInput() async throws {
        try await PythonPeer.with([("compose.py", "function-compose")]) { peers in
            var inputs = RenderInputs(
                compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("compose", "xr.yaml"), what: "XR"),
                composition: try await RenderInputLoader.single(TestPaths.caseFile("compose", "composition.yaml"), what: "composition"),
                functions: peers.map(\.functionObject))
            inputs.observedResources = try await RenderInputLoader.stream(TestPaths.caseFile("compose", "observed.yaml"), what: "observed")
            let output = try await Self.render(inputs, RenderOptions(includeFunctionResults: true))
            #expect(output == (try Self.expected("compose")))
        }
    }

    @Test func answersRequirementsUntilTheyStabilise() async throws {
        try await PythonPeer.with([("require.py", "function-require")]) { peers in
            var inputs = RenderInputs(
                compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("require", "xr.yaml"), what: "XR"),
                composition: try await RenderInputLoader.single(TestPaths.caseFile("require", "composition.yaml"), what: "composition"),
                functions: peers.map(\.functionObject))
            inputs.requiredResources = try await RenderInputLoader.stream(TestPaths.caseFile("require", "required.yaml"), what: "required")
            let output = try await Self.render(inputs, RenderOptions(includeContext: true))
            #expect(output == (try Self.expected("require")))
        }
    }

    @Test func fatalResultStopsThePipeline() async throws {
        try await PythonPeer.with([("compose.py", "function-compose"), ("fatal.py", "function-fatal")]) { peers in
            let inputs = RenderInputs(
                compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("compose", "xr.yaml"), what: "XR"),
                composition: try await RenderInputLoader.single(TestPaths.caseFile("fatal", "composition.yaml"), what: "composition"),
                functions: peers.map(\.functionObject))
            let error = await #expect(throws: RenderError.self) { try await Self.render(inputs) }
            #expect(error?.message == "pipeline step \"check-size\" returned a fatal result: spec.size must be small, medium or large")
            #expect(error?.exitCode == .function)
        }
    }

    @Test func conditionsAndContextReachTheOutput() async throws {
        try await PythonPeer.with([("compose.py", "function-compose"), ("conditions.py", "function-conditions")]) { peers in
            var inputs = RenderInputs(
                compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("compose", "xr.yaml"), what: "XR"),
                composition: try await RenderInputLoader.single(TestPaths.caseFile("conditions", "composition.yaml"), what: "composition"),
                functions: peers.map(\.functionObject))
            inputs.context = try await RenderInputLoader.context(
                files: [:], values: ["apiextensions.crossplane.io/environment": #"{"tier": "gold", "replicas": 3}"#])
            let output = try await Self.render(inputs, RenderOptions(includeFunctionResults: true, includeContext: true, includeFullXR: true))
            #expect(output == (try Self.expected("conditions")))
        }
    }

    @Test func requirementsThatNeverSettleFailAfterSixCalls() async throws {
        try await PythonPeer.with([("unstable.py", "function-unstable")]) { peers in
            let inputs = RenderInputs(
                compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("require", "xr.yaml"), what: "XR"),
                composition: try await RenderInputLoader.single(TestPaths.caseFile("unstable", "composition.yaml"), what: "composition"),
                functions: peers.map(\.functionObject))
            let error = await #expect(throws: RenderError.self) { try await Self.render(inputs) }
            #expect(error?.kind == .requirementsUnstable)
            #expect(error?.message.contains("requirements didn't stabilize after the maximum number of iterations (5)") == true)
        }
    }

    @Test func unreachableDevelopmentTargetNamesTheFunction() async throws {
        let port = try LoopbackPort.free()
        let function: Value = [
            "apiVersion": "pkg.crossplane.io/v1", "kind": "Function",
            "metadata": ["name": "function-gone", "annotations": [
                "render.crossplane.io/runtime": "Development",
                "render.crossplane.io/runtime-development-target": .string("127.0.0.1:\(port)"),
            ]],
        ]
        let inputs = RenderInputs(
            compositeResource: try await RenderInputLoader.single(TestPaths.caseFile("require", "xr.yaml"), what: "XR"),
            composition: [
                "apiVersion": "apiextensions.crossplane.io/v1", "kind": "Composition", "metadata": ["name": "c"],
                "spec": ["compositeTypeRef": ["apiVersion": "example.org/v1", "kind": "XNetwork"], "mode": "Pipeline",
                         "pipeline": [["step": "one", "functionRef": ["name": "function-gone"]]]],
            ],
            functions: [function])
        let configuration = RuntimeConfiguration(timeout: .milliseconds(500))
        let clock = ContinuousClock()
        let started = clock.now
        let error = await #expect(throws: FunctionError.self) {
            try await RunningFunctions.withRunningFunctions(inputs.functions, configuration: configuration) { runner in
                try await Renderer.render(inputs: inputs, options: RenderOptions(), runner: runner)
            }
        }
        #expect(error?.function == "function-gone")
        #expect(error?.exitCode == .function)
        #expect(clock.now - started < .seconds(10))
    }
}
