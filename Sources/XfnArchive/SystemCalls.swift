#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call: the operation, the path it was applied to (relative to the root), errno.
struct SystemCallError: Error {
    let operation: String
    let path: String
    let code: Int32

    var reason: String { String(cString: strerror(code)) }
}

func isDirectoryMode(_ mode: mode_t) -> Bool { (UInt32(mode) & FileTypeBits.mask) == FileTypeBits.directory }
func isSymlinkMode(_ mode: mode_t) -> Bool { (UInt32(mode) & FileTypeBits.mask) == FileTypeBits.symlink }
