import Foundation

/// What `stat` says about a file, compared the way git compares its index: any field that moved
/// means the file may have changed and must be read and hashed again.
struct FileStamp: Hashable, Sendable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    /// Nanoseconds since the epoch.
    var modified: Int64
    var changed: Int64

    /// The stamp of a regular file, or nil when it cannot be stat'ed or is not a regular file.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        self.init(regularFile: info)
    }

    /// The stamp of what `stat` describes, or nil when it is not a regular file.
    init?(regularFile info: stat) {
        guard (info.st_mode & UInt32(S_IFMT)) == UInt32(S_IFREG) else { return nil }
        self.init(info)
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }
}
