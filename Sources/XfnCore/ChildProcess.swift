import Foundation
import Synchronization

/// A short-lived external program (a credential helper, a cloud CLI, the container engine's command
/// line) run to completion with captured output.
///
/// The child gets its own process group, an empty signal mask and default signal dispositions (xfn's
/// threads block signals and ignore SIGPIPE, which a child must not inherit), and no descriptor of
/// xfn's beyond its three standard streams. When its time limit passes or, for calls that allow it,
/// the calling task is cancelled, its whole group is stopped, so a script's own children cannot keep
/// xfn waiting. The wait happens on a dedicated thread, never on the cooperative pool.
public struct ChildProcess: Sendable {
    public struct Result: Sendable {
        /// The exit status, or 128 + the signal number that ended it.
        public let status: Int32
        public let stdout: Data
        public let stderr: Data
        public let timedOut: Bool
        public let cancelled: Bool

        public var succeeded: Bool { status == 0 && !timedOut && !cancelled }
        /// The output as text without surrounding whitespace.
        public var stdoutText: String { Self.text(stdout) }
        public var stderrText: String { Self.text(stderr) }

        private static func text(_ data: Data) -> String {
            String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The program could not be started at all (no pipes, exec failed).
    public struct LaunchFailure: Error, CustomStringConvertible {
        public let description: String
    }

    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The executable `name` names: itself when it holds a slash, else the first match on `PATH`.
    public static func find(_ name: String, environment: Environment) -> ChildProcess? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? ChildProcess(path: name) : nil }
        let search = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in search.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return ChildProcess(path: candidate) }
        }
        return nil
    }

    /// Runs the program with `arguments` until it exits, `timeout` passes or (when `cancellable`) the
    /// calling task is cancelled. `input` is written to its stdin, which is `/dev/null` when nil. A
    /// stopped program's group gets SIGTERM and, `grace` later, SIGKILL; a zero grace kills at once.
    public func run(_ arguments: [String], input: Data? = nil, environment: Environment, timeout: Duration,
                    cancellable: Bool = false, grace: Duration = .seconds(2)) async throws -> Result {
        let stop = StopRequest()
        let launch = Launch(path: path, arguments: arguments, input: input, environment: environment, timeout: timeout, grace: grace)
        let body = {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                Thread {
                    continuation.resume(with: Swift.Result { try launch.runBlocking(stop: stop) })
                }.start()
            }
        }
        guard cancellable else { return try await body() }
        return try await withTaskCancellationHandler(operation: body, onCancel: { stop.requested.withLock { $0 = true } })
    }
}

private final class StopRequest: Sendable {
    let requested = Mutex(false)
}

private struct Launch: Sendable {
    let path: String
    let arguments: [String]
    let input: Data?
    let environment: Environment
    let timeout: Duration
    let grace: Duration

    func runBlocking(stop: StopRequest) throws -> ChildProcess.Result {
        // A program that exits without reading its input costs an EPIPE on write, not xfn's life.
        signal(SIGPIPE, SIG_IGN)
        let pipes = try Pipes(withInput: input != nil)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin = pipes.stdin {
            posix_spawn_file_actions_adddup2(&actions, stdin.read, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipes.stdout.write, 1)
        posix_spawn_file_actions_adddup2(&actions, pipes.stderr.write, 2)
        // Descriptors xfn opened without O_CLOEXEC (a function's pipes, sockets) stay out of the child.
        if let closeFrom = SpawnCalls.closeFrom { _ = closeFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var reset = sigset_t()
        sigemptyset(&reset)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&reset, signal) }
        posix_spawnattr_setsigdefault(&attributes, &reset)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        // ETXTBSY: another thread forked while a just-written script was still open for writing; that
        // child closes it when it execs, moments later.
        for _ in 0..<20 where spawned == ETXTBSY {
            usleep(50_000)
            spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        }
        pipes.closeChildEnds()
        guard spawned == 0 else {
            pipes.closeParentEnds()
            throw ChildProcess.LaunchFailure(description: "cannot start \(path): \(String(cString: strerror(spawned)))")
        }

        let output = CapturedOutput()
        let readers = DispatchGroup()
        for (fd, isStdout) in [(pipes.stdout.read, true), (pipes.stderr.read, false)] {
            readers.enter()
            DispatchQueue.global().async {
                output.store(Self.readAll(fd), stdout: isStdout)
                close(fd)
                readers.leave()
            }
        }
        if let stdin = pipes.stdin, let input {
            let writer = stdin.write
            DispatchQueue.global().async {
                Self.writeAll(input, to: writer)
                close(writer)
            }
        }

        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var timedOut = false, cancelled = false
        var stoppedAt: ContinuousClock.Instant?
        var killed = false
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            let now = ContinuousClock.now
            if stoppedAt == nil {
                if now >= deadline { timedOut = true }
                if stop.requested.withLock({ $0 }) { cancelled = true }
                if timedOut || cancelled {
                    stoppedAt = now
                    killed = grace <= .zero
                    kill(-pid, killed ? SIGKILL : SIGTERM)
                }
            } else if let stoppedAt, !killed, now - stoppedAt >= grace {
                killed = true
                kill(-pid, SIGKILL)
            }
            usleep(10_000)
        }
        // Something the program left running in its group may hold the pipes open; it goes too.
        if timedOut || cancelled || readers.wait(timeout: .now() + 2) == .timedOut {
            kill(-pid, SIGKILL)
            _ = readers.wait(timeout: .now() + 3)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ChildProcess.Result(status: exitStatus, stdout: output.stdout, stderr: output.stderr,
                                   timedOut: timedOut, cancelled: cancelled)
    }

    private static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                data.append(buffer, count: count)
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    private static func writeAll(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, base + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { return }
                offset += count
            }
        }
    }
}

/// The child's standard-stream pipes, all close-on-exec so two programs started at once never hold
/// each other's ends open.
private struct Pipes {
    struct Ends {
        let read: Int32
        let write: Int32
    }

    let stdin: Ends?
    let stdout: Ends
    let stderr: Ends

    init(withInput: Bool) throws {
        var made: [Ends] = []
        for _ in 0..<(withInput ? 3 : 2) {
            guard let ends = Self.make() else {
                let failure = String(cString: strerror(errno))
                for ends in made { close(ends.read); close(ends.write) }
                throw ChildProcess.LaunchFailure(description: "pipe(): \(failure)")
            }
            made.append(ends)
        }
        stdout = made[0]
        stderr = made[1]
        stdin = withInput ? made[2] : nil
    }

    func closeChildEnds() {
        if let stdin { close(stdin.read) }
        close(stdout.write)
        close(stderr.write)
    }

    func closeParentEnds() {
        if let stdin { close(stdin.write) }
        close(stdout.read)
        close(stderr.read)
    }

    private static func make() -> Ends? {
        var fds: [Int32] = [-1, -1]
        if let pipe2 = SpawnCalls.pipe2 {
            guard fds.withUnsafeMutableBufferPointer({ pipe2($0.baseAddress!, O_CLOEXEC) }) == 0 else { return nil }
        } else {
            guard pipe(&fds) == 0 else { return nil }
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        }
        return Ends(read: fds[0], write: fds[1])
    }
}

/// glibc's `pipe2` and `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Glibc module
/// does not export; looked up once, nil where missing.
private enum SpawnCalls {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    static let pipe2: Pipe2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
}

private final class CapturedOutput: Sendable {
    private let streams = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    func store(_ data: Data, stdout: Bool) {
        streams.withLock { if stdout { $0.stdout = data } else { $0.stderr = data } }
    }

    var stdout: Data { streams.withLock { $0.stdout } }
    var stderr: Data { streams.withLock { $0.stderr } }
}
