import Foundation
import XfnCore

/// The few POSIX operations the store needs for crash safety, with errors that name the path.
enum FileSystem {
    /// `mkdir -p`.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0, errno != EEXIST {
                throw FileError(path: current, operation: "create directory", code: errno)
            }
        }
    }

    /// Flushes a directory entry so a rename into it survives a crash.
    static func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError(path: path, operation: "sync", code: errno) }
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Foundation.rename(from, to) == 0 else { throw FileError(path: to, operation: "rename \(from) to", code: errno) }
    }

    /// Writes a whole file atomically: temporary file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        do {
            try writeAll(fd: fd, data: data, path: temporary)
            guard fsync(fd) == 0 else { throw FileError(path: temporary, operation: "sync", code: errno) }
            close(fd)
            fchmodOrIgnore(temporary, mode)
            try rename(temporary, path)
            try syncDirectory(directory)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    static func writeAll(fd: Int32, data: Data, path: String) throws {
        try data.withUnsafeBytes { raw in try writeAll(fd: fd, bytes: raw, path: path) }
    }

    static func writeAll(fd: Int32, bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", code: errno)
            }
            offset += written
        }
    }

    private static func fchmodOrIgnore(_ path: String, _ mode: mode_t) { chmod(path, mode) }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int64(info.st_size)
    }
}
