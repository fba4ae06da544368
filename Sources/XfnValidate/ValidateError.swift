import XfnCore

/// Why a validation run could not produce a report (as opposed to findings in the report).
public struct ValidateError: XfnError {
    public let message: String
    public let hint: String?
    public let exitCode: ExitStatus

    public init(_ message: String, hint: String? = nil, exitCode: ExitStatus = .failure) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }
}
