import Foundation
import Synchronization
import Testing
import XfnCore
import XfnFunctions
@testable import XfnRender

/// A function in the test process: records each request and answers with `reply`.
final class RecordingRunner: FunctionRunner {
    let requests = Mutex<[(String, RunFunctionRequest)]>([])
    let reply: @Sendable (String, RunFunctionRequest, Int) throws -> RunFunctionResponse

    init(reply: @escaping @Sendable (String, RunFunctionRequest, Int) throws -> RunFunctionResponse) { self.reply = reply }

    func runFunction(named name: String, _ request: RunFunctionRequest) async throws -> RunFunctionResponse {
        let count = requests.withLock { list in
            list.append((name, request))
            return list.filter { $0.0 == name }.count
        }
        return try reply(name, request, count)
    }

    var calls: [(String, RunFunctionRequest)] { requests.withLock { $0 } }
}

@Suite struct PipelineTests {
    static let xr: Value = [
        "apiVersion": "example.org/v1", "kind": "XApp",
        "metadata": ["name": "app", "namespace": "prod", "labels": ["crossplane.io/composite": "app-parent"]],
        "spec": ["claimRef": ["name": "my-app", "namespace": "team"]],
    ]

    static func composition(_ steps: [Value]) -> Value {
        [
            "apiVersion": "apiextensions.crossplane.io/v1", "kind": "Composition", "metadata": ["name": "apps"],
            "spec": ["compositeTypeRef": ["apiVersion": "example.org/v1", "kind": "XApp"], "mode": "Pipeline", "pipeline": .array(steps)],
        ]
    }

    static func resource(_ value: Value, ready: FunctionReady = .unspecified) -> FunctionResource {
        var resource = FunctionResource()
        resource.resource = StructBridge.protobufStruct(from: value)!
        resource.ready = ready
        return resource
    }

    @Test func eachStepSeesThePreviousDesiredStateAndContext() async throws {
        let runner = RecordingRunner { name, request, _ in
            var response = RunFunctionResponse()
            response.desired = request.desired
            response.context = request.context
            if name == "first" {
                response.desired.resources["cm"] = Self.resource(["apiVersion": "v1", "kind": "ConfigMap"])
                response.context.fields["first"] = StructBridge.protobufValue(from: true)
            }
            return response
        }
        let inputs = RenderInputs(compositeResource: Self.xr,
                                  composition: Self.composition([
                                      ["step": "a", "functionRef": ["name": "first"], "input": ["x": 1]],
                                      ["step": "b", "functionRef": ["name": "second"]],
                                  ]),
                                  functions: [], context: (["seed": "yes"] as Value).objectValue!)
        let outcome = try await Pipeline(inputs: inputs, runner: runner).run()
        let calls = runner.calls
        #expect(calls.map(\.0) == ["first", "second"])
        #expect(StructBridge.value(from: calls[0].1.input) == ["x": 1])
        #expect(calls[0].1.meta.capabilities == [.capabilities, .requiredResources, .credentials, .conditions, .requiredSchemas])
        #expect(StructBridge.value(from: calls[0].1.observed.composite.resource) == Self.xr)
        #expect(!calls[1].1.hasInput)
        #expect(calls[1].1.desired.resources.keys.sorted() == ["cm"])
        #expect(StructBridge.value(from: calls[1].1.context) == ["seed": "yes", "first": true])
        #expect(outcome.context == (["seed": "yes", "first": true] as Value).objectValue!)
    }

    @Test func requirementsAreAnsweredAndTheLoopStopsWhenTheyRepeat() async throws {
        let runner = RecordingRunner { _, request, call in
            var response = RunFunctionResponse()
            var selector = FunctionResourceSelector()
            selector.apiVersion = "v1"
            selector.kind = "Secret"
            selector.matchName = "b"
            response.requirements.resources["secret"] = selector
            if call >= 2 {
                var schema = Apiextensions_Fn_Proto_V1_SchemaSelector()
                schema.apiVersion = "example.org/v1"
                schema.kind = "XApp"
                response.requirements.schemas["app"] = schema
            }
            return response
        }
        var inputs = RenderInputs(compositeResource: Self.xr,
                                  composition: Self.composition([["step": "s", "functionRef": ["name": "f"]]]), functions: [])
        inputs.requiredResources = [
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "b"], "data": ["n": "2"]],
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "a"]],
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "b"]],
        ]
        inputs.requiredSchemas = [[
            "components": ["schemas": ["org.example.v1.XApp": [
                "type": "object", "x-kubernetes-group-version-kind": [["group": "example.org", "version": "v1", "kind": "XApp"]],
            ]]],
        ]]
        _ = try await Pipeline(inputs: inputs, runner: runner).run()
        let calls = runner.calls.map(\.1)
        #expect(calls.count == 3)
        #expect(calls[0].requiredResources.isEmpty)
        let items = calls[1].requiredResources["secret"]?.items.map { StructBridge.value(from: $0.resource) }
        #expect(items == [["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "b"], "data": ["n": "2"]]])
        #expect(calls[1].requiredSchemas.isEmpty)
        #expect(calls[2].requiredSchemas["app"].flatMap { StructBridge.value(from: $0.openapiV3)["type"] } == "object")
    }

    @Test func stepCredentialsComeFromSecrets() async throws {
        let runner = RecordingRunner { _, _, _ in RunFunctionResponse() }
        var inputs = RenderInputs(compositeResource: Self.xr, composition: Self.composition([[
            "step": "s", "functionRef": ["name": "f"],
            "credentials": [["name": "db", "source": "Secret", "secretRef": ["namespace": "ns", "name": "creds"]]],
        ]]), functions: [])
        inputs.functionCredentials = [[
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "ns"],
            "data": ["password": .string(Data("s3cret".utf8).base64EncodedString())],
        ]]
        _ = try await Pipeline(inputs: inputs, runner: runner).run()
        #expect(runner.calls[0].1.credentials["db"]?.credentialData.data["password"] == Data("s3cret".utf8))

        inputs.functionCredentials = []
        let error = await #expect(throws: RenderError.self) { try await Pipeline(inputs: inputs, runner: runner).run() }
        #expect(error?.message.contains("Secret ns/creds") == true)
    }

    @Test func unknownFunctionIsNamed() async throws {
        let inputs = RenderInputs(compositeResource: Self.xr,
                                  composition: Self.composition([["step": "s", "functionRef": ["name": "missing"]]]), functions: [])
        let error = await #expect(throws: RenderError.self) {
            try await Pipeline(inputs: inputs, runner: GRPCFunctionRunner(clients: [:])).run()
        }
        #expect(error?.message == "unknown Function \"missing\" - does it exist in your Functions file?")
    }

    @Test func composedResourcesGetTheReconcilersMetadata() {
        var composed: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["labels": ["keep": "me"]]]
        RenderOutput.setComposedMetadata(&composed, composite: Self.xr, name: "cm")
        #expect(composed["metadata"] == [
            "labels": ["keep": "me", "crossplane.io/composite": "app-parent",
                       "crossplane.io/claim-name": "my-app", "crossplane.io/claim-namespace": "team"],
            "generateName": "app-parent-",
            "namespace": "prod",
            "annotations": ["crossplane.io/composition-resource-name": "cm"],
            "ownerReferences": [["apiVersion": "example.org/v1", "kind": "XApp", "name": "app", "uid": "",
                                 "controller": true, "blockOwnerDeletion": true]],
        ])
    }

    @Test func readinessFollowsTheDesiredState() {
        var state = FunctionState()
        #expect(RenderOutput.readyCondition(state)["reason"] == "Available")
        for name in ["e", "d", "c", "b", "a"] { state.resources[name] = Self.resource(["kind": "X"]) }
        state.resources["ready"] = Self.resource(["kind": "X"], ready: .true)
        let creating = RenderOutput.readyCondition(state)
        #expect(creating["status"] == "False")
        #expect(creating["message"] == "Unready resources: a, b, c, and 2 more")
        state.composite.ready = .true
        #expect(RenderOutput.readyCondition(state)["status"] == "True")
        state.composite.ready = .false
        #expect(RenderOutput.readyCondition(state)["message"] == nil)
        #expect(RenderOutput.readyCondition(state)["reason"] == "Creating")
        #expect(RenderOutput.firstNames(["a", "b"], count: 3) == "a, b")
    }

    @Test func preflightChecksTheXRAgainstTheComposition() {
        var composition = Self.composition([])
        composition.set(["spec", "compositeTypeRef", "kind"], "XOther")
        #expect(throws: RenderError.self) { try Renderer.check(RenderInputs(compositeResource: Self.xr, composition: composition, functions: [])) }
        composition = Self.composition([])
        composition.set(["spec", "mode"], "Resources")
        #expect(throws: RenderError.self) { try Renderer.check(RenderInputs(compositeResource: Self.xr, composition: composition, functions: [])) }
        var xr = Self.xr
        xr.set(["spec", "compositionSelector", "matchLabels"], ["tier": "gold"])
        #expect(throws: RenderError.self) { try Renderer.check(RenderInputs(compositeResource: xr, composition: Self.composition([]), functions: [])) }
        #expect(throws: Never.self) { try Renderer.check(RenderInputs(compositeResource: Self.xr, composition: Self.composition([]), functions: [])) }
    }
}
