import ArgumentParser
import Foundation
import XfnCore

/// The `xfn` command and its subcommands.
public struct XfnCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "xfn",
        abstract: "Pull Crossplane packages, then render and validate compositions with their real functions.",
        discussion: """
            References must name their registry, e.g. xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0.
            Credentials come from the files docker and podman logins write; see `xfn auth explain`.

            Exit status: 0 ok, 1 findings, 2 usage error, 3 registry/auth/network failure, 4 function failure.
            """,
        version: "0.1.0",
        subcommands: [PullCommand.self, ValidateCommand.self, RenderCommand.self, CompositionCommand.self, InspectCommand.self,
                      CacheCommand.self, AuthCommand.self, LoginCommand.self, LogoutCommand.self, BetaCommand.self,
                      ResourceCommand.self, DebugCommand.self])

    public init() {}

    /// Parses, runs, and turns every error into `xfn: error:` / `hint:` lines and the documented exit
    /// status. SIGINT and SIGTERM cancel the command; once its cleanup ran, xfn exits 130 or 143.
    public static func runMain(arguments: [String]? = nil) async {
        let command = Task { try await execute(arguments) }
        let interruption = Interruption { command.cancel() }
        let outcome = await command.result
        if let signal = interruption.signal {
            Terminal.standardError.write("xfn: interrupted\n")
            Foundation.exit(Interruption.exitStatus(for: signal))
        }
        if case .failure(let error) = outcome { exit(reporting: error) }
    }

    private static func execute(_ arguments: [String]?) async throws {
        var command = try parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
    }

    private static func exit(reporting error: any Error) -> Never {
        switch error {
        case let error as any XfnError:
            Terminal.standardError.write(ErrorReport.text(for: error))
            Foundation.exit(error.exitCode.rawValue)
        case let exit as ExitCode:
            Foundation.exit(exit.rawValue)
        default:
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if error is CancellationError {
                Terminal.standardError.write("xfn: interrupted\n")
                Foundation.exit(130)
            }
            Terminal.standardError.write(message.hasPrefix("Error:") ? "xfn: error:" + message.dropFirst(6) + "\n" : message + "\n")
            Foundation.exit(ExitStatus.usage.rawValue)
        }
    }
}

enum ErrorReport {
    static func text(for error: any XfnError) -> String {
        var text = "xfn: error: \(error.message)\n"
        if let hint = error.hint {
            let lines = hint.split(separator: "\n", omittingEmptySubsequences: false)
            text += "hint: " + lines.joined(separator: "\n      ") + "\n"
        }
        return text
    }
}
