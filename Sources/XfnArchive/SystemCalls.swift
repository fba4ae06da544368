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

/// Calls the C library has but Swift's Glibc module does not export (they sit behind
/// `_GNU_SOURCE`). Looked up once at run time; nil where the platform lacks them.
enum LinuxCalls {
    typealias SyncFS = @convention(c) (Int32) -> Int32
    typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    nonisolated(unsafe) private static let process = dlopen(nil, RTLD_NOW)

    static let syncfs: SyncFS? = symbol("syncfs")
    static let renameat2: RenameAt2? = symbol("renameat2")

    /// `RENAME_NOREPLACE` from <linux/fs.h>.
    static let renameNoReplace: UInt32 = 1

    private static func symbol<T>(_ name: String) -> T? {
        #if os(Linux)
        guard let process, let pointer = dlsym(process, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
        #else
        return nil
        #endif
    }
}

func isDirectoryMode(_ mode: mode_t) -> Bool { (UInt32(mode) & FileTypeBits.mask) == FileTypeBits.directory }
func isSymlinkMode(_ mode: mode_t) -> Bool { (UInt32(mode) & FileTypeBits.mask) == FileTypeBits.symlink }
