/// What every xfn module's error type offers the command line: a sentence for `xfn: error:` and,
/// where the user can do something about it, a `hint:`. Messages never contain secrets.
public protocol XfnError: Error, CustomStringConvertible, Sendable {
    var message: String { get }
    var hint: String? { get }
    /// The exit status the command line uses when this error ends a command (design.md §3).
    var exitCode: ExitStatus { get }
}

extension XfnError {
    public var description: String { message }
    public var exitCode: ExitStatus { .failure }
}

/// xfn's exit statuses; scripts depend on them.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// Validation or render findings.
    case findings = 1
    case usage = 2
    /// Registry, authentication or network failure.
    case registry = 3
    /// A composition function failed or returned a fatal result.
    case function = 4
    /// Anything else that stopped the command (a corrupt cache, a file that cannot be read).
    public static let failure = ExitStatus.findings
}
