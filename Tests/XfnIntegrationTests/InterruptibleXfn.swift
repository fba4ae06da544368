import Foundation
import XfnTestSupport

/// The built `xfn` running in the background, for tests that signal it midway. Its output goes to
/// files in the test's home, so a full pipe never blocks it.
final class InterruptibleXfn {
    private let process = Process()
    private let stderrPath: String

    init(_ xfn: XfnProcess, _ arguments: [String]) throws {
        stderrPath = try xfn.home.write("", to: "xfn.stderr")
        let stdoutPath = try xfn.home.write("", to: "xfn.stdout")
        process.executableURL = URL(fileURLWithPath: XfnProcess.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(xfn.environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var isRunning: Bool { process.isRunning }

    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// The exit status once xfn exited within `limit`; nil if it was still running (it is killed then).
    func exitStatus(within limit: Duration) async throws -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
