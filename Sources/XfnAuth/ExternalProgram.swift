import Foundation
import XfnCore

/// Runs credential helpers and cloud CLIs: found on the caller's PATH, fed a short stdin, bounded in
/// time, and started from a thread with an empty signal mask so a timeout's SIGTERM reaches them.
struct ExternalProgram: Sendable {
    struct Result: Sendable {
        let status: Int32
        let stdout: Data
        let stderr: Data
        let timedOut: Bool

        var stdoutText: String { String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    let path: String

    /// The executable called `name` in `$PATH`, or nil.
    static func find(_ name: String, environment: Environment) -> ExternalProgram? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? ExternalProgram(path: name) : nil }
        let search = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in search.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return ExternalProgram(path: candidate) }
        }
        return nil
    }

    /// Runs to completion or until `timeout`, when it is terminated (then killed).
    func run(_ arguments: [String], input: Data, environment: Environment, timeout: Duration = .seconds(30)) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let thread = Thread {
                var empty = sigset_t()
                sigemptyset(&empty)
                pthread_sigmask(SIG_SETMASK, &empty, nil)
                continuation.resume(with: Swift.Result { try runBlocking(arguments, input: input, environment: environment, timeout: timeout) })
            }
            thread.start()
        }
    }

    private func runBlocking(_ arguments: [String], input: Data, environment: Environment, timeout: Duration) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment.variables
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        // A helper that exits without reading stdin must not take xfn down with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        // Readers drain both pipes so a chatty program never blocks on a full pipe.
        let collected = OutputCollector()
        let group = DispatchGroup()
        for (handle, isOut) in [(stdout.fileHandleForReading, true), (stderr.fileHandleForReading, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = handle.readDataToEndOfFile()
                collected.set(data, stdout: isOut)
                group.leave()
            }
        }
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        var timedOut = false
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            timedOut = true
            process.terminate()
            if exited.wait(timeout: .now() + 2) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        }
        process.waitUntilExit()
        _ = group.wait(timeout: .now() + 5)
        return Result(status: process.terminationStatus, stdout: collected.stdout, stderr: collected.stderr, timedOut: timedOut)
    }
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    func set(_ data: Data, stdout: Bool) { lock.withLock { if stdout { out = data } else { err = data } } }
    var stdout: Data { lock.withLock { out } }
    var stderr: Data { lock.withLock { err } }
}
