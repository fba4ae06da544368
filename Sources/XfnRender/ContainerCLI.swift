import Foundation
import XfnCore

/// The container engine's command line: Docker's, or Podman's Docker-compatible one. xfn talks to
/// no daemon API itself, so whatever the command line is configured for (`DOCKER_HOST`, contexts,
/// Podman's `containers.conf`, its registries and credentials) applies unchanged.
struct ContainerCLI: Sendable {
    static let variable = "XFN_CONTAINER_CLI"

    let program: ChildProcess
    let environment: Environment

    /// The program `XFN_CONTAINER_CLI` names, else `docker` if it is on `PATH`, else `podman`.
    static func locate(environment: Environment) throws -> ContainerCLI {
        if let chosen = environment[variable] {
            guard let program = ChildProcess.find(chosen, environment: environment) else {
                throw RenderError(.runtime, "the container command line \"\(chosen)\" named by \(variable) was not found",
                                  hint: "set \(variable) to docker, podman or the path of one of them")
            }
            return ContainerCLI(program: program, environment: environment)
        }
        for name in ["docker", "podman"] {
            if let program = ChildProcess.find(name, environment: environment) {
                return ContainerCLI(program: program, environment: environment)
            }
        }
        throw RenderError(.runtime, "the docker runtime needs docker or podman on PATH, and neither was found",
                          hint: "install one of them, set \(variable) to the path of one, or use --runtime process")
    }

    var name: String { URL(fileURLWithPath: program.path).lastPathComponent }

    /// Runs one command; a start failure becomes a RenderError, a non-zero exit is left to the caller.
    func run(_ arguments: [String], timeout: Duration, cancellable: Bool = true) async throws -> ChildProcess.Result {
        do {
            return try await program.run(arguments, environment: environment, timeout: timeout, cancellable: cancellable, grace: .zero)
        } catch let failure as ChildProcess.LaunchFailure {
            throw RenderError(.runtime, "\(failure)", hint: "check \(Self.variable) or your PATH")
        }
    }

    /// Runs one command and returns its stdout, or throws a RenderError quoting its stderr.
    func checked(_ arguments: [String], timeout: Duration, function: String, doing what: String) async throws -> String {
        let output = try await run(arguments, timeout: timeout)
        if output.cancelled { throw CancellationError() }
        guard output.succeeded else { throw failure(output, arguments: arguments, function: function, doing: what, timeout: timeout) }
        return output.stdoutText
    }

    func failure(_ output: ChildProcess.Result, arguments: [String], function: String, doing what: String,
                 timeout: Duration) -> RenderError {
        let command = ([name] + Self.redacted(arguments)).joined(separator: " ")
        if output.timedOut {
            return RenderError(.runtime, "function \"\(function)\": cannot \(what): `\(command)` did not finish within \(FunctionProcess.describe(timeout))",
                               hint: "a first pull of a large image can need a longer --timeout")
        }
        let stderr = output.stderrText
        return RenderError(.runtime,
                           "function \"\(function)\": cannot \(what): `\(command)` exited with status \(output.status)"
                               + (stderr.isEmpty ? "" : ":\n\(stderr)"),
                           hint: hint(for: stderr))
    }

    private func hint(for stderr: String) -> String {
        let text = stderr.lowercased()
        if text.contains("cannot connect to the docker daemon") || text.contains("is the docker daemon running")
            || text.contains("connection refused") && text.contains(".sock") {
            return "start the container engine, or set \(Self.variable)=podman to use Podman without a daemon"
        }
        if text.contains("image not known") || text.contains("no such image") || text.contains("not found") && text.contains("image") {
            return "pull the image first, or drop \(ContainerSettings.pullPolicyAnnotation): Never"
        }
        if text.contains("config.json: no such file") {
            return "DOCKER_CONFIG names a directory without config.json; create it or unset DOCKER_CONFIG"
        }
        if text.contains("unauthorized") || text.contains("authentication required") || text.contains("denied") {
            return "log in with `\(name) login <registry>`; the engine uses its own credentials"
        }
        return "run the command by hand to see more; set \(Self.variable) to choose another engine"
    }

    /// The command line as it may appear in a message: environment values (tokens, passwords) are
    /// replaced by their names only.
    static func redacted(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var hideNext = false
        for argument in arguments {
            if hideNext {
                let key = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                result.append("\(key)=…")
                hideNext = false
            } else {
                result.append(argument)
                hideNext = argument == "-e" || argument == "--env"
            }
        }
        return result
    }
}
