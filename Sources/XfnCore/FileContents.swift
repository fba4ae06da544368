import Foundation

/// Whole-file reads with the system's reason on failure. Blocking: callers run them off the
/// cooperative pool when files can be large or many.
public enum FileContents {
    public static func read(atPath path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(path: path, operation: "read", code: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileError(path: path, operation: "stat", code: errno) }
        return try read(descriptor: descriptor, size: Int(status.st_size), path: path)
    }

    /// The rest of an open file, expected to be `size` bytes long; it may have changed since, and
    /// what is really there is returned. Sizing the buffer up front saves growing it.
    public static func read(descriptor: Int32, size: Int, path: String) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, size))
        var filled = 0
        while true {
            if filled == bytes.count { bytes.append(contentsOf: repeatElement(0, count: 64 << 10)) }
            let count = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }
}
