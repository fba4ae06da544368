import Foundation
import XfnCore

/// An exclusive `flock` on a file under `locks/`, shared between xfn processes. Waiting polls with a
/// non-blocking attempt and sleeps, so no cooperative thread is ever parked in the kernel.
public final class FileLock: Sendable {
    private let fd: Int32
    public let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    public static func acquire(_ path: String) async throws -> FileLock {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "open lock", code: errno) }
        var delay: UInt64 = 5
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let code = errno
                close(fd)
                throw FileError(path: path, operation: "lock", code: code)
            }
            do { try await Task.sleep(nanoseconds: delay * 1_000_000) } catch {
                close(fd)
                throw error
            }
            delay = min(delay * 2, 100)
        }
        return FileLock(fd: fd, path: path)
    }
}
