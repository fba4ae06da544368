import XfnCore

/// Why talking to a composition function failed. Every case names the function, because a pipeline
/// calls several and the user needs to know which one to look at.
public struct FunctionError: XfnError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The address in an annotation or flag is not one xfn can dial.
        case badTarget
        /// The function could not be reached or did not answer within the timeout.
        case unreachable
        /// The function answered with a gRPC error status.
        case callFailed
        /// The function's reply could not be decoded or broke the protocol.
        case badResponse
        /// The function process could not be started or stopped listening.
        case runtime
    }

    public let kind: Kind
    public let function: String
    public let reason: String
    public let hint: String?

    public init(_ kind: Kind, function: String, reason: String, hint: String? = nil) {
        self.kind = kind
        self.function = function
        self.reason = reason
        self.hint = hint
    }

    public var message: String { "function \"\(function)\": \(reason)" }
    public var exitCode: ExitStatus { .function }
}
