import XfnCore

public struct PackageError: XfnError {
    public let message: String
    public let hint: String?
    public let exitCode: ExitStatus

    public init(_ message: String, hint: String? = nil, exitCode: ExitStatus = .registry) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    static func offlineMiss(_ what: String) -> PackageError {
        PackageError("\(what) is not in the cache, and --offline forbids the network",
                     hint: "run the same command once without --offline to fill the cache")
    }
}
