import Foundation
import XfnCore

/// Writing files of the schema cache.
enum CacheFile {
    /// Through a temporary file and a rename, so a reader never sees half a file and concurrent
    /// runs may write the same one. No fsync: a lost file is only read again from its source.
    static func write(_ bytes: [UInt8], to destination: String) throws {
        let temporary = "\(destination).\(ProcessInfo.processInfo.processIdentifier).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(path: temporary, operation: "create", code: errno) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(descriptor)
                unlink(temporary)
                throw FileError(path: temporary, operation: "write", code: code)
            }
            offset += written
        }
        close(descriptor)
        guard rename(temporary, destination) == 0 else {
            let code = errno
            unlink(temporary)
            throw FileError(path: destination, operation: "rename into", code: code)
        }
    }
}
