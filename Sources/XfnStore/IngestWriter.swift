import Foundation
import XfnCore
import XfnOCI

/// A blob being downloaded into `ingest/<hex>/data`: hashed and bounded by the descriptor's size as it is
/// written, resumable after an interruption, and committed into `blobs/` only when size and digest match.
/// Written from the transport thread, one call at a time.
public final class IngestWriter: @unchecked Sendable {
    public let descriptor: Descriptor
    let directory: String
    let dataPath: String
    private var fd: Int32
    private var hasher = SHA256Hasher()
    public private(set) var bytesWritten: Int64 = 0
    private let progress: ProgressHandler?
    /// libcurl delivers at most 16 KiB a call; collecting 1 MiB before each write(2) saves ~98% of them.
    private let pending = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    private var pendingCount = 0
    /// Bytes already handed to the kernel for writeback, so the fsync at commit waits only for the tail.
    private var writebackStarted: Int64 = 0
    static let writebackChunk: Int64 = 8 << 20

    init(descriptor: Descriptor, directory: String, progress: ProgressHandler?) throws {
        self.descriptor = descriptor
        self.directory = directory
        self.dataPath = directory + "/data"
        self.progress = progress
        try FileSystem.makeDirectories(directory)
        fd = open(dataPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: dataPath, operation: "open", code: errno) }
        try resumeFromExistingBytes()
    }

    deinit {
        if fd >= 0 {
            // What arrived before an interruption is kept on disk so the next pull resumes after it.
            _ = try? flushPending()
            close(fd)
        }
        pending.deallocate()
    }

    private func flushPending() throws {
        guard pendingCount > 0 else { return }
        try FileSystem.writeAll(fd: fd, bytes: UnsafeRawBufferPointer(rebasing: pending[0..<pendingCount]), path: dataPath)
        pendingCount = 0
        let onDisk = bytesWritten
        if onDisk - writebackStarted >= Self.writebackChunk, let syncFileRange = LinuxCalls.syncFileRange {
            _ = syncFileRange(fd, writebackStarted, onDisk - writebackStarted, LinuxCalls.syncFileRangeWrite)
            writebackStarted = onDisk
        }
    }

    /// A partial file left by an earlier, interrupted pull is kept: its bytes are hashed again so the
    /// download continues from where it stopped. One longer than the blob can only be garbage.
    private func resumeFromExistingBytes() throws {
        let existing = FileSystem.fileSize(dataPath) ?? 0
        guard existing > 0 else { return }
        if existing > descriptor.size {
            try restart()
            return
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        lseek(fd, 0, SEEK_SET)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw FileError(path: dataPath, operation: "read", code: errno) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        bytesWritten = hasher.byteCount
        lseek(fd, 0, SEEK_END)
        progress?(.advanced(id: descriptor.digest.description, bytes: bytesWritten))
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytesWritten + Int64(bytes.count) <= descriptor.size else {
            throw StoreError(.sizeExceeded, "blob \(descriptor.digest) is larger than the \(descriptor.size) bytes its descriptor declares")
        }
        if pendingCount + bytes.count > pending.count { try flushPending() }
        if bytes.count >= pending.count {
            try FileSystem.writeAll(fd: fd, bytes: bytes, path: dataPath)
        } else {
            UnsafeMutableRawBufferPointer(rebasing: pending[pendingCount..<(pendingCount + bytes.count)]).copyMemory(from: bytes)
            pendingCount += bytes.count
        }
        hasher.update(bytes)
        bytesWritten += Int64(bytes.count)
        progress?(.advanced(id: descriptor.digest.description, bytes: Int64(bytes.count)))
    }

    public func restart() throws {
        pendingCount = 0
        guard ftruncate(fd, 0) == 0 else { throw FileError(path: dataPath, operation: "truncate", code: errno) }
        lseek(fd, 0, SEEK_SET)
        if bytesWritten > 0 { progress?(.advanced(id: descriptor.digest.description, bytes: -bytesWritten)) }
        hasher = SHA256Hasher()
        bytesWritten = 0
        writebackStarted = 0
    }

    /// Checks size and digest; on a match makes the file durable and read-only and returns its path, on
    /// a mismatch deletes what was written so a retry starts clean.
    func finish() throws -> String {
        try flushPending()
        guard bytesWritten == descriptor.size else {
            discard()
            throw StoreError(.sizeMismatch, "blob \(descriptor.digest) ended after \(bytesWritten) of \(descriptor.size) bytes")
        }
        let actual = hasher.finalize()
        guard actual == descriptor.digest else {
            discard()
            throw StoreError(.digestMismatch, "blob content does not match its digest: expected \(descriptor.digest), got \(actual)")
        }
        guard fsync(fd) == 0 else { throw FileError(path: dataPath, operation: "sync", code: errno) }
        fchmod(fd, 0o444)
        close(fd)
        fd = -1
        return dataPath
    }

    func discard() {
        pendingCount = 0
        if fd >= 0 { close(fd); fd = -1 }
        unlink(dataPath)
        rmdir(directory)
    }
}
