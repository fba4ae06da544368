#if canImport(Glibc)
import Glibc
#endif
import GRPCCore
import SwiftProtobuf
import XfnCore
import XfnFunctions

/// The function's one RPC. The input's `kind` picks the behaviour:
///
/// * `Resources` composes `spec.resources[]`: each entry's `base` object, with `patches[]` copying
///   `fromFieldPath` (read from the observed XR) to `toFieldPath` (written into the resource). The
///   `pt.fn.crossplane.io/v1beta1` form, with the list at `resources` and `FromCompositeFieldPath`
///   patches, is read the same way, so the function can stand in for patch-and-transform in examples.
/// * `AutoReady` marks each desired composed resource ready whose observed counterpart has a
///   `Ready` condition with status `"True"`, and writes the count into the XR's status.
/// * `Exit` prints `spec.message` to stderr and ends the process with `spec.status` (default 3)
///   without answering, as a crashing function does.
///
/// Desired state the step does not touch passes through, as the protocol asks of every function.
struct Runner: FunctionRunnerV1.SimpleServiceProtocol {
    static let inputAPIVersion = "testing.xfn.dev/v1alpha1"
    static let patchAndTransformAPIVersion = "pt.fn.crossplane.io/v1beta1"

    func runFunction(request: RunFunctionRequest, context: ServerContext) async throws -> RunFunctionResponse {
        var response = RunFunctionResponse()
        response.meta.tag = request.meta.tag
        response.meta.ttl = Google_Protobuf_Duration(seconds: 60)
        response.desired = request.desired
        if request.hasContext { response.context = request.context }

        guard request.hasInput else {
            response.results.append(.fatal("this function needs an input (kind Resources or AutoReady)"))
            return response
        }
        let input = StructBridge.value(from: request.input)
        let apiVersion = input["apiVersion"]?.stringValue ?? ""
        guard apiVersion == Self.inputAPIVersion || apiVersion == Self.patchAndTransformAPIVersion else {
            response.results.append(.fatal(
                "input apiVersion \"\(apiVersion)\" is neither \(Self.inputAPIVersion) nor \(Self.patchAndTransformAPIVersion)"))
            return response
        }
        do {
            switch input["kind"]?.stringValue {
            case "Resources": try Compose.run(input: input, request: request, response: &response)
            case "AutoReady": AutoReady.run(request: request, response: &response)
            case "Exit":
                let line = Array(((input.value(at: ["spec", "message"])?.stringValue ?? "exiting as the input asks") + "\n").utf8)
                _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
                exit(Int32(input.value(at: ["spec", "status"])?.intValue ?? 3))
            case let other:
                response.results.append(.fatal("input kind \"\(other ?? "")\" is neither Resources nor AutoReady"))
            }
        } catch let error as InputError {
            response.results.append(.fatal(error.description))
        }
        return response
    }
}

struct InputError: Error, CustomStringConvertible {
    let description: String
}

extension FunctionResult {
    static func fatal(_ message: String) -> FunctionResult {
        var result = FunctionResult()
        result.severity = .fatal
        result.message = message
        return result
    }

    static func normal(_ message: String, reason: String) -> FunctionResult {
        var result = FunctionResult()
        result.severity = .normal
        result.message = message
        result.reason = reason
        return result
    }
}
