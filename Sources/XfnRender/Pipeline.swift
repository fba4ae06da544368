import Foundation
import SwiftProtobuf
import XfnCore
import XfnFunctions

/// What one run of the pipeline produced, before it is written out.
public struct PipelineOutcome: Sendable {
    public struct StepResult: Sendable, Equatable {
        public var step: String
        public var severity: String
        public var message: String
    }

    public struct StepCondition: Sendable, Equatable {
        public var type: String
        public var status: String
        public var reason: String
        public var message: String?
    }

    /// The last step's desired state.
    public var desired: FunctionState
    /// The context the last step returned.
    public var context: ValueObject
    /// Non-fatal results of every step, in pipeline order.
    public var results: [StepResult]
    /// Conditions every step asked to set on the XR, in pipeline order.
    public var conditions: [StepCondition]
}

/// Runs a Composition's pipeline the way crossplane render does (each step sees the previous step's
/// desired state and context; requirements are answered and the step called again until they stop
/// changing; the first fatal result ends the render).
public struct Pipeline: Sendable {
    /// Crossplane's limit: the first call plus five more while requirements keep changing.
    public static let maximumRequirementsIterations = 5

    public static let capabilities: [FunctionCapability] = [
        .capabilities, .requiredResources, .credentials, .conditions, .requiredSchemas,
    ]

    let inputs: RenderInputs
    let runner: any FunctionRunner
    let resolver: RequirementsResolver

    public init(inputs: RenderInputs, runner: any FunctionRunner) {
        self.inputs = inputs
        self.runner = runner
        resolver = RequirementsResolver(resources: inputs.requiredResources, schemas: inputs.requiredSchemas)
    }

    public func run() async throws -> PipelineOutcome {
        let observed = try observedState()
        var desired = FunctionState()
        var context = inputs.context
        var results: [PipelineOutcome.StepResult] = []
        var conditions: [PipelineOutcome.StepCondition] = []

        for step in inputs.composition.value(at: ["spec", "pipeline"])?.arrayValue ?? [] {
            let stepName = step["step"]?.stringValue ?? ""
            guard let functionName = step.value(at: ["functionRef", "name"])?.stringValue else {
                throw RenderError(.input, "pipeline step \"\(stepName)\" has no functionRef.name")
            }
            var request = RunFunctionRequest()
            request.meta.capabilities = Self.capabilities
            request.observed = observed
            request.desired = desired
            request.context = StructBridge.protobufStruct(from: context)
            if let input = step["input"] {
                guard let structValue = StructBridge.protobufStruct(from: input) else {
                    throw RenderError(.input, "pipeline step \"\(stepName)\": input is not an object")
                }
                request.input = structValue
            }
            request.credentials = try credentials(for: step, stepName: stepName)

            let response = try await call(functionName, step: step, stepName: stepName, request: request)

            for result in response.results where result.severity != .fatal {
                results.append(.init(step: stepName, severity: Self.enumName(result.severity), message: result.message))
            }
            for condition in response.conditions {
                conditions.append(.init(type: condition.type, status: Self.conditionStatus(condition.status),
                                        reason: condition.reason, message: condition.hasMessage ? condition.message : nil))
            }
            desired = response.desired
            context = response.hasContext ? StructBridge.object(from: response.context) : ValueObject()
        }
        return PipelineOutcome(desired: desired, context: context, results: results, conditions: conditions)
    }

    /// One step: call, answer requirements, call again until the requirements stay the same.
    private func call(_ function: String, step: Value, stepName: String, request initial: RunFunctionRequest) async throws -> RunFunctionResponse {
        var request = initial
        let bootstrap = resolver.bootstrap(step)
        request.requiredResources = bootstrap.resources
        request.requiredSchemas = bootstrap.schemas
        var previous: FunctionRequirements? = nil
        for _ in 0...Self.maximumRequirementsIterations {
            let response = try await runner.runFunction(named: function, request)
            if let fatal = response.results.first(where: { $0.severity == .fatal }) {
                throw RenderError(.fatalResult, "pipeline step \"\(stepName)\" returned a fatal result: \(fatal.message)")
            }
            let requirements: FunctionRequirements? = response.hasRequirements ? response.requirements : nil
            if requirements == previous { return response }
            previous = requirements

            var resources = bootstrap.resources
            var schemas = bootstrap.schemas
            var extra: [String: FunctionResources] = [:]
            if let requirements {
                for (key, selector) in requirements.resources { resources[key] = resolver.resolve(selector) }
                for (key, selector) in requirements.extraResources { extra[key] = resolver.resolve(selector) }
                for (key, selector) in requirements.schemas {
                    schemas[key] = resolver.resolveSchema(apiVersion: selector.apiVersion, kind: selector.kind)
                }
            }
            request.requiredResources = resources
            request.extraResources = extra
            request.requiredSchemas = schemas
            if response.hasContext { request.context = response.context }
        }
        throw RenderError(.requirementsUnstable,
                          "pipeline step \"\(stepName)\": requirements didn't stabilize after the maximum number of iterations (\(Self.maximumRequirementsIterations))",
                          hint: "the function asks for different resources on every call")
    }

    private func observedState() throws -> FunctionState {
        var state = FunctionState()
        guard let composite = StructBridge.protobufStruct(from: inputs.compositeResource) else {
            throw RenderError(.input, "the composite resource is not an object")
        }
        state.composite.resource = composite
        for resource in inputs.observedResources {
            let key = resource.annotations["crossplane.io/composition-resource-name"] ?? ""
            var observed = FunctionResource()
            observed.resource = StructBridge.protobufStruct(from: resource) ?? .init()
            state.resources[key] = observed
        }
        return state
    }

    /// Step credentials from Secrets: `credentials[name].credentialData.data` = the Secret's decoded `data`.
    private func credentials(for step: Value, stepName: String) throws -> [String: FunctionCredentials] {
        var answer: [String: FunctionCredentials] = [:]
        for entry in step["credentials"]?.arrayValue ?? [] {
            guard entry["source"]?.stringValue == "Secret", let ref = entry["secretRef"] else { continue }
            let entryName = entry["name"]?.stringValue ?? ""
            let name = ref["name"]?.stringValue ?? "", namespace = ref["namespace"]?.stringValue ?? ""
            guard let secret = inputs.functionCredentials.first(where: {
                $0.kind == "Secret" && $0.name == name && $0.namespace == namespace
            }) else {
                throw RenderError(.input, "pipeline step \"\(stepName)\": credentials \"\(entryName)\" refer to Secret \(namespace)/\(name), which is not in --function-credentials")
            }
            var data = FunctionCredentialData()
            for (key, value) in secret["data"]?.objectValue ?? ValueObject() {
                guard let text = value.stringValue, let bytes = Data(base64Encoded: text) else {
                    throw RenderError(.input, "Secret \(namespace)/\(name): data.\(key) is not base64")
                }
                data.data[key] = bytes
            }
            var credentials = FunctionCredentials()
            credentials.credentialData = data
            answer[entryName] = credentials
        }
        return answer
    }

    static func enumName(_ severity: FunctionSeverity) -> String {
        switch severity {
        case .unspecified: "SEVERITY_UNSPECIFIED"
        case .fatal: "SEVERITY_FATAL"
        case .warning: "SEVERITY_WARNING"
        case .normal: "SEVERITY_NORMAL"
        case .UNRECOGNIZED(let raw): "\(raw)"
        }
    }

    static func conditionStatus(_ status: FunctionConditionStatus) -> String {
        switch status {
        case .conditionTrue: "True"
        case .conditionFalse: "False"
        default: "Unknown"
        }
    }
}
