import CArchive
import Foundation
import XfnCore

/// One open libarchive read handle over a layer blob on disk. Owns the `struct archive*` and the
/// file descriptor; both are released in `deinit`. Not thread-safe: one thread drives one reader.
final class ArchiveReader {
    /// libarchive asks the file for this many bytes at a time; large reads keep the syscall count
    /// low (a 4 KiB block size makes gzip layers noticeably slower).
    static let readBlockSize = 1 << 20

    let layer: String
    private let archive: FunctionTable<xfn_archive>
    private let handle: OpaquePointer
    private let fd: Int32
    private var currentEntry: OpaquePointer?

    /// Opens `path` and auto-detects the compression: gzip, zstd, or none.
    init(path: String, layer: String) throws {
        self.layer = layer
        archive = try ArchiveLibrary.forLayer(layer)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw ArchiveError(.cannotOpen, layer: layer, detail: FileError(path: path, operation: "open", code: code).message)
        }
        guard let handle = archive.functions.read_new() else {
            close(fd)
            throw ArchiveError(.cannotOpen, layer: layer, detail: "libarchive could not allocate a reader")
        }
        self.fd = fd
        self.handle = handle
        // Layers are tar streams; registering only tar keeps other formats' parsers out of reach of
        // hostile input. Filters other than these two are not OCI layer media types.
        _ = archive.functions.read_support_format_tar(handle)
        _ = archive.functions.read_support_filter_gzip(handle)
        _ = archive.functions.read_support_filter_zstd(handle)
        guard archive.functions.read_open_fd(handle, fd, Self.readBlockSize) == ARCHIVE_OK else {
            throw failure(.corrupt, entry: nil, while: "not a tar layer (gzip, zstd or uncompressed)")
        }
    }

    deinit {
        _ = archive.functions.read_free(handle)
        close(fd)
    }

    /// Moves to the next entry; nil at the end of the archive.
    func nextEntry() throws -> ArchiveEntryView? {
        var entry: OpaquePointer?
        let status = archive.functions.read_next_header(handle, &entry)
        switch status {
        case ARCHIVE_EOF:
            currentEntry = nil
            return nil
        case ARCHIVE_OK, ARCHIVE_WARN:
            guard let entry else { throw failure(.corrupt, entry: nil, while: "unreadable entry header") }
            currentEntry = entry
            return ArchiveEntryView(entry, archive: archive)
        default:
            throw failure(.corrupt, entry: nil, while: "damaged or truncated archive")
        }
    }

    /// Hands each block of the current entry's data to `body` without copying it: the buffer is
    /// libarchive's own and is valid only during the call. `offset` jumps ahead across sparse holes.
    func forEachBlock(entry: String, _ body: (UnsafeRawBufferPointer, Int64) throws -> Void) throws {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive.functions.read_data_block(handle, &buffer, &size, &offset)
            switch status {
            case ARCHIVE_EOF:
                return
            case ARCHIVE_OK, ARCHIVE_WARN:
                if size > 0, let buffer {
                    try body(UnsafeRawBufferPointer(start: buffer, count: size), offset)
                }
            default:
                throw failure(.corrupt, entry: entry, while: "cannot read the entry's data")
            }
        }
    }

    /// Compressed bytes consumed from the layer file so far.
    var compressedBytesRead: Int64 { archive.functions.filter_bytes(handle, -1) }

    /// The detected compression, for messages ("gzip", "zstd", "none").
    var filterName: String {
        guard archive.functions.filter_count(handle) > 1, let name = archive.functions.filter_name(handle, 0) else { return "none" }
        return String(cString: name)
    }

    private func failure(_ kind: ArchiveError.Kind, entry: String?, while what: String) -> ArchiveError {
        let reason = archive.functions.error_string(handle).map { String(cString: $0) } ?? "unknown libarchive error"
        return ArchiveError(kind, layer: layer, entry: entry, detail: "\(what): \(reason)",
                            hint: "the blob may be truncated or damaged; remove it from the cache and pull again")
    }
}

/// A borrowed look at the current libarchive entry. Valid only until the reader moves on.
struct ArchiveEntryView {
    private let entry: OpaquePointer
    private let archive: FunctionTable<xfn_archive>

    init(_ entry: OpaquePointer, archive: FunctionTable<xfn_archive>) {
        self.entry = entry
        self.archive = archive
    }

    var path: String {
        if let utf8 = archive.functions.entry_pathname_utf8(entry) { return String(cString: utf8) }
        if let raw = archive.functions.entry_pathname(entry) { return String(cString: raw) }
        return ""
    }

    var hardlinkTarget: String? {
        if let utf8 = archive.functions.entry_hardlink_utf8(entry) { return String(cString: utf8) }
        return archive.functions.entry_hardlink(entry).map { String(cString: $0) }
    }

    var symlinkTarget: String? {
        if let utf8 = archive.functions.entry_symlink_utf8(entry) { return String(cString: utf8) }
        return archive.functions.entry_symlink(entry).map { String(cString: $0) }
    }

    /// The file type bits (`S_IFMT` part of the mode).
    var fileType: UInt32 { UInt32(archive.functions.entry_filetype(entry)) }
    /// All permission bits including setuid, setgid and sticky.
    var permissions: UInt32 { UInt32(archive.functions.entry_perm(entry)) }
    var size: Int64 { archive.functions.entry_size_is_set(entry) != 0 ? archive.functions.entry_size(entry) : 0 }
    var uid: Int64 { archive.functions.entry_uid(entry) }
    var gid: Int64 { archive.functions.entry_gid(entry) }
    var modificationTime: timespec? {
        guard archive.functions.entry_mtime_is_set(entry) != 0 else { return nil }
        return timespec(tv_sec: time_t(archive.functions.entry_mtime(entry)), tv_nsec: Int(archive.functions.entry_mtime_nsec(entry)))
    }

    var kind: EntryKind {
        if hardlinkTarget != nil { return .hardlink }
        switch fileType {
        case FileTypeBits.regular: return .file
        case FileTypeBits.directory: return .directory
        case FileTypeBits.symlink: return .symlink
        case FileTypeBits.characterDevice: return .characterDevice
        case FileTypeBits.blockDevice: return .blockDevice
        case FileTypeBits.fifo: return .fifo
        case FileTypeBits.socket: return .socket
        default: return .file
        }
    }
}

/// libarchive's `AE_IF*` macros are casts, which Swift does not import; these are their values.
enum FileTypeBits {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let fifo: UInt32 = 0o010000
    static let socket: UInt32 = 0o140000
}
