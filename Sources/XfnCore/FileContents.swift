import Foundation

/// Whole-file reads with the system's reason on failure. Blocking: callers run them off the
/// cooperative pool when files can be large or many.
public enum FileContents {
    public static func read(atPath path: String) throws -> [UInt8] {
        try withOpenFile(path) { descriptor, size in try read(descriptor: descriptor, size: size, path: path) }
    }

    /// The contents and the file's status once they were read, from the open file: what a caller
    /// compares with an earlier `stat` to know the file did not change while it was read.
    public static func readWithStatus(atPath path: String) throws -> (bytes: [UInt8], status: stat) {
        try withOpenFile(path) { descriptor, size in
            let bytes = try read(descriptor: descriptor, size: size, path: path)
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw FileError(path: path, operation: "stat", code: errno) }
            return (bytes, status)
        }
    }

    /// Opens `path` for reading and hands `body` the descriptor and the size the file has now.
    private static func withOpenFile<T>(_ path: String, _ body: (Int32, Int) throws -> T) throws -> T {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: path, operation: "read", code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileError(path: path, operation: "stat", code: errno) }
        return try body(descriptor, Int(status.st_size))
    }

    /// The rest of an open file, expected to be `size` bytes long; it may have changed since, and
    /// what is really there is returned. The buffer is sized up front with one spare byte, so the
    /// read that finds the end needs neither a second buffer nor zeroed memory.
    public static func read(descriptor: Int32, size: Int, path: String) throws -> [UInt8] {
        let capacity = max(0, size) + 1
        var bytes = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = try fill(buffer, from: descriptor, path: path)
        }
        guard bytes.count == capacity else { return bytes }
        // The file grew since it was measured: read the rest in chunks.
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = try chunk.withUnsafeMutableBufferPointer { try fill($0, from: descriptor, path: path) }
            bytes.append(contentsOf: chunk[..<count])
            if count < chunk.count { return bytes }
        }
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    private static func fill(_ buffer: UnsafeMutableBufferPointer<UInt8>, from descriptor: Int32, path: String) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = Foundation.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }
}
