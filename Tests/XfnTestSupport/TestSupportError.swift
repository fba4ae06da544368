import XfnCore

/// Why a test peer (process, server, fixture) could not do what a test asked of it.
public struct TestSupportError: XfnError {
    public let message: String
    public let hint: String?

    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
