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

    /// Runs to completion or until `timeout`, when its whole process group is terminated (then killed),
    /// so a helper script's own children cannot keep xfn waiting.
    func run(_ arguments: [String], input: Data, environment: Environment, timeout: Duration = .seconds(30)) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try runBlocking(arguments, input: input, environment: environment, timeout: timeout) })
            }
            thread.start()
        }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private func runBlocking(_ arguments: [String], input: Data, environment: Environment, timeout: Duration) throws -> Result {
        signal(SIGPIPE, SIG_IGN)
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        // Close-on-exec, so helpers started at the same time never inherit each other's pipes.
        guard Self.makePipe(&stdinPipe), Self.makePipe(&stdoutPipe), Self.makePipe(&stderrPipe) else {
            throw SpawnError(description: "pipe(): \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        // Nothing else of xfn's leaks into the child either (descriptors opened without O_CLOEXEC).
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }

        // Its own process group, no blocked signals and default dispositions: xfn's threads block
        // signals and ignore SIGPIPE, which a child must not inherit.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
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
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(stdoutPipe[0]); close(stderrPipe[0])
            throw SpawnError(description: "cannot start \(path): \(String(cString: strerror(spawned)))")
        }

        let collected = OutputCollector()
        let group = DispatchGroup()
        for (fd, isOut) in [(stdoutPipe[0], true), (stderrPipe[0], false)] {
            group.enter()
            DispatchQueue.global().async {
                collected.set(Self.readAll(fd), stdout: isOut)
                close(fd)
                group.leave()
            }
        }
        let writer = stdinPipe[1]
        DispatchQueue.global().async {
            // SIGPIPE is ignored (above), so a program that exits without reading costs an EPIPE here.
            input.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(writer, buffer.baseAddress! + offset, buffer.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
            close(writer)
        }

        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        var timedOut = false
        var killedAt: ContinuousClock.Instant?
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno != EINTR) { break }
            let now = ContinuousClock.now
            if now >= deadline, killedAt == nil {
                timedOut = true
                kill(-pid, SIGTERM)
                killedAt = now
            } else if let killedAt, now - killedAt > .seconds(2) {
                kill(-pid, SIGKILL)
            }
            usleep(10_000)
        }
        // Something the program left running in its group may hold the pipes open; it goes too.
        if timedOut || group.wait(timeout: .now() + 1) == .timedOut {
            kill(-pid, SIGKILL)
            _ = group.wait(timeout: .now() + 4)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus, stdout: collected.stdout, stderr: collected.stderr, timedOut: timedOut)
    }

    /// glibc's `pipe2` and `posix_spawn_file_actions_addclosefrom_np` (2.34+), which the Swift Glibc
    /// module does not export; looked up once.
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let pipe2: Pipe2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        if let pipe2 { return fds.withUnsafeMutableBufferPointer { pipe2($0.baseAddress!, O_CLOEXEC) } == 0 }
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { data.append(buffer, count: n); continue }
            if n < 0 && errno == EINTR { continue }
            return data
        }
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
