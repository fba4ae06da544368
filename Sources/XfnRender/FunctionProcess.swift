import Foundation
import Synchronization
import XfnCore

/// One function's process (bubblewrap, or the entrypoint itself with `--no-sandbox`). Owns the
/// `Process` and its stderr pipe; `stop()` ends it with SIGTERM and, after a grace period, SIGKILL.
final class FunctionProcess: Sendable {
    let function: String
    let port: Int
    private let process: Process
    private let stderrTail = StderrTail()
    /// Released when the process is gone, ending the thread that launched it.
    private let launcher = DispatchSemaphore(value: 0)
    private static let tailLimit = 4096

    init(function: String, executable: String, arguments: [String], port: Int, forwardStderr: Bool,
         environment: [String: String]?, workingDirectory: String?) throws {
        self.function = function
        self.port = port
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = forwardStderr ? FileHandle.standardError : FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        self.process = process
        let tail = stderrTail
        let prefix = "xfn: function \(function): "
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            tail.bytes.withLock { buffer in
                buffer.append(contentsOf: chunk)
                if buffer.count > Self.tailLimit { buffer.removeFirst(buffer.count - Self.tailLimit) }
            }
            if forwardStderr {
                let text = String(decoding: chunk, as: UTF8.self)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map { prefix + $0 + "\n" }
                FileHandle.standardError.write(Data(lines.joined().utf8))
            }
        }
        try Self.launchWithEmptySignalMask(process, parked: launcher)
    }

    deinit { launcher.signal() }

    var isRunning: Bool { process.isRunning }

    /// The last few kilobytes the function wrote to stderr, for error messages.
    var recentStderr: String {
        let bytes = stderrTail.bytes.withLock { $0 }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Why the function is gone, when it exited while it should be serving; nil while it still runs
    /// after `grace` (a dropped connection is noticed a moment before the exit is).
    func exitNotice(grace: Duration) async -> String? {
        guard await exits(within: grace) else { return nil }
        let how = process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)" : "exited with status \(process.terminationStatus)"
        let stderr = recentStderr
        return "function \"\(function)\" \(how) during the render" + (stderr.isEmpty ? "" : "; its last output:\n\(stderr)")
    }

    /// Waits until the function accepts connections, it exits, or the deadline passes.
    func waitUntilListening(timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if !process.isRunning {
                let stderr = recentStderr
                throw RenderError(.runtime, "function \"\(function)\" exited with status \(process.terminationStatus) before it listened on 127.0.0.1:\(port)"
                                  + (stderr.isEmpty ? "" : "; its last output:\n\(stderr)"))
            }
            let port = self.port
            if try await BlockingIO.run({ LoopbackPort.accepts(port) }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        let stderr = recentStderr
        throw RenderError(.runtime, "function \"\(function)\" did not listen on 127.0.0.1:\(port) within \(Self.describe(timeout))"
                          + (stderr.isEmpty ? "" : "; its last output:\n\(stderr)"),
                          hint: "a function must serve gRPC on the address given with --address when started with --insecure")
    }

    /// SIGTERM, then SIGKILL if it is still there after the grace period. Bounded: it never waits
    /// more than the grace period and two seconds.
    func stop(grace: Duration = .seconds(5)) async {
        defer { launcher.signal() }
        guard process.isRunning else { return }
        process.terminate()
        if await exits(within: grace) { return }
        kill(process.processIdentifier, SIGKILL)
        _ = await exits(within: .seconds(2))
    }

    private func exits(within limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning, clock.now < deadline {
            // Stopping also runs when the render was cancelled; then stop waiting and escalate.
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return !process.isRunning }
        }
        return !process.isRunning
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds == seconds.rounded() ? "\(Int64(seconds))s" : "\(seconds)s"
    }

    /// Foundation starts children with the calling thread's signal mask, and the concurrency pool's
    /// threads block SIGTERM; a child started from one could not be stopped. So launch from a fresh
    /// thread whose mask is empty. That thread then stays until the process is stopped: the kernel
    /// ties bubblewrap's --die-with-parent to the thread that started it, so a launching thread that
    /// ended early would either kill the sandbox at once or leave it behind when xfn exits.
    private static func launchWithEmptySignalMask(_ process: Process, parked: DispatchSemaphore) throws {
        let outcome = Mutex<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let box = UncheckedProcess(process)
        let thread = Thread {
            var empty = sigset_t()
            sigemptyset(&empty)
            pthread_sigmask(SIG_SETMASK, &empty, nil)
            var failed = false
            do { try box.process.run() } catch {
                outcome.withLock { $0 = error }
                failed = true
            }
            done.signal()
            if !failed { parked.wait() }
        }
        thread.start()
        done.wait()
        if let error = outcome.withLock({ $0 }) { throw error }
    }
}

/// The end of a function's stderr, shared with the pipe's reading handler.
private final class StderrTail: Sendable {
    let bytes = Mutex<[UInt8]>([])
}

/// Carries a not-yet-started `Process` to the launching thread; nothing else touches it meanwhile.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
    init(_ process: Process) { self.process = process }
}
