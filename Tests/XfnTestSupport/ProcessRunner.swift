import Foundation
import XfnCore

/// What a finished command left behind.
public struct ProcessResult: Sendable {
    public let command: [String]
    public let status: Int32
    public let stdout: Data
    public let stderr: Data
    /// True when the runner killed the command because it outlived its timeout.
    public let timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    public var succeeded: Bool { status == 0 && !timedOut }
}

/// Runs external commands (skopeo, openssl, curl, …) with captured output and a hard timeout.
/// Output goes to files rather than pipes so a chatty command can never block on a full pipe.
public enum ProcessRunner {
    /// Runs the command and returns whatever happened; a non-zero status is not an error here.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: String? = nil,
        input: Data? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        let path = try resolve(executable)
        let scratch = try TemporaryDirectory(prefix: "xfn-run")
        defer { scratch.remove() }
        let outPath = try scratch.write(Data(), to: "stdout")
        let errPath = try scratch.write(Data(), to: "stderr")
        let inPath = try scratch.write(input ?? Data(), to: "stdin")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? inHandle.close()
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle

        let box = ProcessBox(process)
        let killedForTimeout = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Bool, any Error>) in
            let once = ResumeOnce(continuation)
            process.terminationHandler = { _ in once.resume(returning: box.timedOut) }
            do {
                try launchWithDefaultSignals(process)
            } catch {
                once.resume(throwing: TestSupportError("cannot start \(path): \(error)"))
                return
            }
            let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.components.seconds) * 1_000_000_000
                + Int(timeout.components.attoseconds / 1_000_000_000))
            DispatchQueue.global().asyncAfter(deadline: deadline) { box.killForTimeout() }
        }
        let command = [path] + arguments
        return ProcessResult(
            command: command,
            status: process.terminationStatus,
            stdout: try Data(contentsOf: URL(fileURLWithPath: outPath)),
            stderr: try Data(contentsOf: URL(fileURLWithPath: errPath)),
            timedOut: killedForTimeout)
    }

    /// Runs the command and throws, quoting its stderr, unless it exits 0 within the timeout.
    @discardableResult
    public static func runChecked(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: String? = nil,
        input: Data? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ProcessResult {
        let result = try await run(
            executable, arguments, environment: environment, currentDirectory: currentDirectory,
            input: input, timeout: timeout)
        guard result.succeeded else { throw CommandFailed(result: result) }
        return result
    }

    /// Finds `name` on PATH unless it is already a path.
    public static func resolve(_ name: String) throws -> String {
        if name.contains("/") { return name }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestSupportError("'\(name)' is not on PATH", hint: "install it (see scripts/bootstrap)")
    }
}

/// Starts `process` from a fresh thread whose signal mask is empty. Foundation spawns children with
/// the calling thread's mask, and pool threads block most signals, so a child started from one would
/// ignore SIGTERM.
func launchWithDefaultSignals(_ process: Process) throws {
    let box = ProcessBox(process)
    let outcome = LaunchOutcome()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
        var empty = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, nil)
        outcome.error = box.launch()
        done.signal()
    }
    thread.start()
    done.wait()
    if let error = outcome.error { throw error }
}

private final class LaunchOutcome: @unchecked Sendable {
    var error: (any Error)?
}

/// A command that exited non-zero or timed out; the message carries its output for the test log.
public struct CommandFailed: XfnError {
    public let result: ProcessResult

    public var message: String {
        let what = result.timedOut ? "timed out" : "exited \(result.status)"
        let output = (result.stderrText + result.stdoutText).trimmingCharacters(in: .whitespacesAndNewlines)
        return "\(result.command.joined(separator: " ")) \(what): \(output.suffix(2000))"
    }

    public var hint: String? { nil }
}

/// Lets the timeout timer and the termination handler share the process safely.
final class ProcessBox: @unchecked Sendable {
    private let process: Process
    private let lock = NSLock()
    private var killed = false

    init(_ process: Process) { self.process = process }

    var timedOut: Bool { lock.withLock { killed } }

    func launch() -> (any Error)? {
        do {
            try process.run()
            return nil
        } catch {
            return error
        }
    }

    func killForTimeout() {
        guard process.isRunning else { return }
        lock.withLock { killed = true }
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
            if self.process.isRunning { kill(pid, SIGKILL) }
        }
    }
}

/// A continuation that tolerates being resumed from two racing paths.
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private var continuation: CheckedContinuation<T, any Error>?
    private let lock = NSLock()

    init(_ continuation: CheckedContinuation<T, any Error>) { self.continuation = continuation }

    func resume(returning value: T) { take()?.resume(returning: value) }
    func resume(throwing error: any Error) { take()?.resume(throwing: error) }

    private func take() -> CheckedContinuation<T, any Error>? {
        lock.withLock {
            let c = continuation
            continuation = nil
            return c
        }
    }
}
