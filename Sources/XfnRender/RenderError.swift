import XfnCore

/// Why a render could not produce its output. Input problems name the file; pipeline problems name
/// the step. A fatal result from a function is a function failure (exit 4), like a function that
/// cannot be reached.
public struct RenderError: XfnError, Equatable {
    public enum Kind: Sendable, Equatable {
        case input
        case pipeline
        case fatalResult
        case requirementsUnstable
        case runtime
    }

    public let kind: Kind
    public let message: String
    public let hint: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var exitCode: ExitStatus {
        switch kind {
        case .input, .pipeline: .failure
        case .fatalResult, .requirementsUnstable, .runtime: .function
        }
    }
}
