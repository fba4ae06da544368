import Foundation
import Synchronization
import XfnCore
import XfnFunctions

/// One function run as a container through the engine's command line, as crossplane render runs it
/// with Docker: the image's entrypoint with the single argument `--insecure`, port 9443 published on
/// an ephemeral host port, and afterwards removed, stopped or left running per its annotations.
final class ContainerFunction: Sendable {
    let function: String
    let settings: ContainerSettings
    private let cli: ContainerCLI
    private let verbose: Bool
    /// Holds the file the engine writes the new container's id to, so a container whose `run` failed
    /// half-way (created, not started) or was cancelled is still found and cleaned up.
    private let scratch: String
    private let containerID = Mutex<String?>(nil)

    /// How long a container gets to exit on SIGTERM before the engine kills it.
    static let stopGraceSeconds = 5
    /// Each cleanup command's bound; cleanup also runs after a timeout or cancellation, so it has its own.
    static let cleanupTimeout: Duration = .seconds(30)
    private static let inspectTimeout: Duration = .seconds(15)
    private static let logLines = 20

    init(function: Value, environment: Environment, verbose: Bool) throws {
        self.function = function.name
        settings = try ContainerSettings(function: function)
        cli = try ContainerCLI.locate(environment: environment)
        self.verbose = verbose
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("xfn-container-\(UUID().uuidString)").path
    }

    /// Starts (or reuses) the container and returns where it serves, once it answers there.
    func start(timeout: Duration) async throws -> FunctionTarget {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var id: String? = nil
        if let name = settings.name { id = try await reuse(name: name) }
        if id == nil { id = try await create(until: deadline) }
        guard let id else { throw RenderError(.runtime, "function \"\(function)\": the container engine returned no container id") }
        let port = try await publishedPort(of: id, until: deadline)
        let host = settings.dialHost
        try await waitUntilServing(id: id, host: host, port: port, until: deadline, timeout: timeout)
        return .host(host, port: port)
    }

    /// Removes, stops or leaves the container per its cleanup annotation. Never throws: a failure is
    /// reported on stderr and the render's own outcome stands.
    func cleanUp() async {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let id = containerID.withLock({ $0 }) ?? recordedID() else { return }
        if verbose { await forwardLogs(of: id) }
        let short = String(id.prefix(12))
        switch settings.cleanup {
        case .orphan:
            if verbose { note("left container \(short) running") }
        case .stop:
            await cleanupStep(["stop", "-t", String(Self.stopGraceSeconds), id], doing: "stop container \(short)")
        case .remove:
            await cleanupStep(["stop", "-t", String(Self.stopGraceSeconds), id], doing: "stop container \(short)")
            await cleanupStep(["rm", "-f", id], doing: "remove container \(short)")
        }
    }

    // MARK: - Starting

    /// The id of an existing container called `name`, started if it was stopped; nil when there is none.
    private func reuse(name: String) async throws -> String? {
        let output = try await cli.run(["inspect", "--type", "container", "--format", "{{.Id}} {{.State.Running}}", name],
                                       timeout: Self.inspectTimeout)
        if output.cancelled { throw CancellationError() }
        // Not found, or the engine cannot answer; creating the container then reports what is wrong.
        guard output.succeeded else { return nil }
        let fields = output.stdoutText.split(whereSeparator: \.isWhitespace)
        guard let id = fields.first.map(String.init), !id.isEmpty else { return nil }
        containerID.withLock { $0 = id }
        if fields.dropFirst().first != "true" {
            log("starting the existing container \(name)")
            _ = try await cli.checked(["start", id], timeout: Self.inspectTimeout, function: function,
                                      doing: "start the existing container \(name)")
        } else {
            log("reusing the running container \(name)")
        }
        return id
    }

    private func create(until deadline: ContinuousClock.Instant) async throws -> String {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var arguments = ["run", "-d", "--cidfile", cidFile, "--pull", settings.pullPolicy.flag, "-p", settings.publishFlag]
        if let name = settings.name { arguments += ["--name", name] }
        for pair in settings.environment { arguments += ["-e", pair] }
        arguments += [settings.image, "--insecure"]
        log((["running", cli.name] + ContainerCLI.redacted(arguments)).joined(separator: " "))
        let output = try await cli.run(arguments, timeout: remaining(until: deadline))
        let created = output.stdoutText.split(whereSeparator: \.isNewline).last.map { $0.trimmingCharacters(in: .whitespaces) }
        if let id = created.flatMap({ $0.isEmpty ? nil : $0 }) ?? recordedID() { containerID.withLock { $0 = id } }
        if output.cancelled { throw CancellationError() }
        guard output.succeeded else {
            throw cli.failure(output, arguments: arguments, function: function, doing: "run image \(settings.image)",
                              timeout: remaining(until: deadline))
        }
        guard let id = containerID.withLock({ $0 }) else {
            throw RenderError(.runtime, "function \"\(function)\": `\(cli.name) run` printed no container id")
        }
        return id
    }

    /// The host port 9443 is published on, for the binding on the publish address. The engine can
    /// report the binding a moment after `run` returns, so an empty answer is asked again.
    private func publishedPort(of id: String, until deadline: ContinuousClock.Instant) async throws -> Int {
        let wanted = settings.publishAddress.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        while true {
            let output = try await cli.run(["port", id, "9443/tcp"], timeout: Self.inspectTimeout)
            if output.cancelled { throw CancellationError() }
            if output.succeeded {
                let bindings = output.stdoutText.split(whereSeparator: \.isNewline).compactMap { Self.binding(String($0)) }
                if let match = bindings.first(where: { $0.host == wanted }) ?? bindings.first { return match.port }
            }
            if try await !isRunning(id) { throw try await exitedEarly(id, before: "its port was published") }
            guard ContinuousClock.now < deadline else {
                throw RenderError(.runtime, "function \"\(function)\": container \(id.prefix(12)) has no published binding for port 9443/tcp",
                                  hint: "does the engine publish ports (-p)? Host networking set in the engine's configuration ignores them")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `127.0.0.1:32768` or `[::]:32768`.
    static func binding(_ line: String) -> (host: String, port: Int)? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        let host = text[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host, port)
    }

    private func waitUntilServing(id: String, host: String, port: Int, until deadline: ContinuousClock.Instant,
                                  timeout: Duration) async throws {
        var nextStateCheck = ContinuousClock.now
        while ContinuousClock.now < deadline {
            if try await BlockingIO.run({ ServingProbe.answers(host: host, port: port) }) { return }
            if ContinuousClock.now >= nextStateCheck {
                if try await !isRunning(id) { throw try await exitedEarly(id, before: "it served on \(host):\(port)") }
                nextStateCheck = ContinuousClock.now + .milliseconds(500)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let logs = await recentLogs(of: id)
        throw RenderError(.runtime, "function \"\(function)\" did not serve gRPC on \(host):\(port) within \(FunctionProcess.describe(timeout))"
                              + (logs.isEmpty ? "" : "; the container's last output:\n\(logs)"),
                          hint: "the image must serve on 0.0.0.0:9443 when started with --insecure; a slow pull or start needs a longer --timeout")
    }

    /// Why the container is gone, when it exited during the render; nil while it runs. Only adds to
    /// an error already being reported, so an engine that cannot be asked just adds nothing.
    func exitNotice(grace: Duration) async -> String? {
        guard let id = containerID.withLock({ $0 }) else { return nil }
        let deadline = ContinuousClock.now + grace
        while let running = try? await isRunning(id) {
            if !running { return (try? await exitedEarly(id, before: "the render finished"))?.message }
            guard ContinuousClock.now < deadline else { return nil }
            // Cancelled: the run is being stopped, and the error stands as it is.
            do { try await Task.sleep(for: .milliseconds(100)) } catch { return nil }
        }
        return nil
    }

    private func isRunning(_ id: String) async throws -> Bool {
        let output = try await cli.run(["inspect", "--type", "container", "--format", "{{.State.Running}}", id], timeout: Self.inspectTimeout)
        if output.cancelled { throw CancellationError() }
        // A container that cannot be inspected any more is gone.
        return output.succeeded && output.stdoutText == "true"
    }

    private func exitedEarly(_ id: String, before what: String) async throws -> RenderError {
        let status = try await cli.run(["inspect", "--type", "container", "--format", "{{.State.ExitCode}}", id], timeout: Self.inspectTimeout)
        let code = status.succeeded ? status.stdoutText : "unknown"
        let logs = await recentLogs(of: id)
        return RenderError(.runtime, "function \"\(function)\": container \(id.prefix(12)) exited with status \(code) before \(what)"
                               + (logs.isEmpty ? "" : "; its last output:\n\(logs)"),
                           hint: "`\(cli.name) logs \(id.prefix(12))` shows all of it unless the container was removed")
    }

    /// The container's last lines of output, stdout and stderr together.
    private func recentLogs(of id: String) async -> String {
        guard let output = try? await cli.run(["logs", "--tail", String(Self.logLines), id], timeout: Self.inspectTimeout, cancellable: false),
              output.succeeded else { return "" }
        let lines = (output.stdoutText + "\n" + output.stderrText).split(whereSeparator: \.isNewline)
        return lines.suffix(Self.logLines).joined(separator: "\n")
    }

    // MARK: - Cleaning up

    private var cidFile: String { scratch + "/cid" }

    private func recordedID() -> String? {
        guard let data = FileManager.default.contents(atPath: cidFile) else { return nil }
        let id = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return id.isEmpty ? nil : id
    }

    private func cleanupStep(_ arguments: [String], doing what: String) async {
        do {
            let output = try await cli.run(arguments, timeout: Self.cleanupTimeout, cancellable: false)
            if !output.succeeded {
                let error = cli.failure(output, arguments: arguments, function: function, doing: what, timeout: Self.cleanupTimeout)
                FileHandle.standardError.write(Data("xfn: warning: \(error.message)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("xfn: warning: function \"\(function)\": cannot \(what): \(error)\n".utf8))
        }
    }

    private func forwardLogs(of id: String) async {
        guard let output = try? await cli.run(["logs", id], timeout: Self.inspectTimeout, cancellable: false), output.succeeded else { return }
        let lines = (output.stdoutText + "\n" + output.stderrText).split(whereSeparator: \.isNewline)
        note(lines.joined(separator: "\n"), everyLine: true)
    }

    private func log(_ message: String) {
        if verbose { note(message) }
    }

    private func note(_ message: String, everyLine: Bool = false) {
        let prefix = "xfn: function \(function): "
        let lines = everyLine ? message.split(whereSeparator: \.isNewline).map(String.init) : [message]
        guard !lines.isEmpty else { return }
        FileHandle.standardError.write(Data(lines.map { prefix + $0 + "\n" }.joined().utf8))
    }

    private func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(deadline - ContinuousClock.now, .milliseconds(1))
    }
}
