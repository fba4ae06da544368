import Foundation

/// Linux calls that Swift's Glibc module does not export (they need `_GNU_SOURCE`), looked up in the
/// running process once. Each is nil where the C library lacks it, and callers fall back.
public enum LinuxCalls {
    public typealias SyncFS = @convention(c) (Int32) -> Int32
    public typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    public typealias SyncFileRange = @convention(c) (Int32, Int64, Int64, UInt32) -> Int32

    nonisolated(unsafe) private static let process = dlopen(nil, RTLD_NOW)

    public static let syncfs: SyncFS? = symbol("syncfs")
    public static let renameat2: RenameAt2? = symbol("renameat2")
    public static let syncFileRange: SyncFileRange? = symbol("sync_file_range")

    /// `RENAME_NOREPLACE` from <linux/fs.h>.
    public static let renameNoReplace: UInt32 = 1
    /// `SYNC_FILE_RANGE_WRITE` from <fcntl.h>: start writeback of the range without waiting for it.
    public static let syncFileRangeWrite: UInt32 = 2

    private static func symbol<T>(_ name: String) -> T? {
        #if os(Linux)
        guard let process, let pointer = dlsym(process, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
        #else
        return nil
        #endif
    }
}
