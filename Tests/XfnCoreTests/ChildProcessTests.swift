import Foundation
import Testing
import XfnCore

struct ChildProcessTests {
    private let environment = Environment(["PATH": "/usr/bin:/bin"])

    private func shell() throws -> ChildProcess {
        try #require(ChildProcess.find("sh", environment: environment))
    }

    @Test func findsOnPathOrByPath() throws {
        let sh = try shell()
        #expect(sh.path.hasSuffix("/sh"))
        #expect(ChildProcess.find("xfn-no-such-program", environment: environment) == nil)
        #expect(ChildProcess.find(sh.path, environment: Environment([:]))?.path == sh.path)
        #expect(ChildProcess.find("/nonexistent/sh", environment: environment) == nil)
    }

    @Test func inputReachesStdinAndBothStreamsAreCaptured() async throws {
        let input = Data((0..<200_000).map { UInt8($0 % 251) })
        let result = try await shell().run(["-c", "cat; echo said-on-stderr >&2; exit 3"], input: input,
                                           environment: environment, timeout: .seconds(20))
        #expect(result.status == 3)
        #expect(result.stdout == input)
        #expect(result.stderrText == "said-on-stderr")
        #expect(!result.succeeded && !result.timedOut && !result.cancelled)
    }

    @Test func withoutInputStdinIsEmpty() async throws {
        let result = try await shell().run(["-c", "wc -c; echo $VALUE"], environment: Environment(["PATH": "/usr/bin:/bin", "VALUE": "v1"]),
                                           timeout: .seconds(20))
        #expect(result.succeeded)
        #expect(result.stdoutText.split(whereSeparator: \.isWhitespace) == ["0", "v1"])
    }

    @Test func timeoutEndsTheWholeProcessGroup() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        // The background sleep holds stdout open; only stopping the group lets the call return.
        let result = try await shell().run(["-c", "sleep 30 & echo $!; wait"], environment: environment, timeout: .milliseconds(500))
        #expect(result.timedOut)
        #expect(!result.succeeded)
        // Well short of the background sleep's 30 s; a loaded machine (the whole suite in parallel) needs the slack.
        #expect(clock.now - started < .seconds(25))
        let grandchild = try #require(Int32(result.stdoutText))
        #expect(!Self.isAlive(grandchild))
    }

    @Test func cancellingTheTaskStopsTheProgramWhenAllowed() async throws {
        let sh = try shell()
        let environment = self.environment
        let run = Task { try await sh.run(["-c", "sleep 30"], environment: environment, timeout: .seconds(60), cancellable: true, grace: .zero) }
        try await Task.sleep(for: .milliseconds(300))
        run.cancel()
        let result = try await run.value
        #expect(result.cancelled)
        #expect(!result.timedOut)
        #expect(result.status == 128 + SIGKILL)
    }

    @Test func missingExecutableIsALaunchFailure() async throws {
        await #expect(throws: ChildProcess.LaunchFailure.self) {
            try await ChildProcess(path: "/nonexistent/program").run([], environment: environment, timeout: .seconds(5))
        }
    }

    /// Running or stopped, not a zombie awaiting its reaper.
    private static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
        return state != "Z" && state != "X"
    }
}
