import CArchive
import Foundation

/// Writes tar layers with libarchive, including the hostile ones no well-behaved tool would make.
/// Owns the `struct archive*`; `finish()` completes the file, `deinit` frees the handle.
final class TarWriter {
    enum Compression { case gzip, zstd, none }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let handle: OpaquePointer
    private var finished = false
    /// Numeric owner given to the entries written from now on.
    var owner: (uid: Int64, gid: Int64) = (0, 0)
    /// A fixed time keeps generated layers reproducible.
    static let defaultTime = 1_700_000_000

    init(path: String, compression: Compression = .gzip) throws {
        guard let handle = archive_write_new() else { throw Failure(description: "archive_write_new failed") }
        self.handle = handle
        try check(archive_write_set_format_pax_restricted(handle), "set format")
        switch compression {
        case .gzip: try check(archive_write_add_filter_gzip(handle), "gzip filter")
        case .zstd: try check(archive_write_add_filter_zstd(handle), "zstd filter")
        case .none:
            // Unblocked output, so `abandon()` leaves exactly what was written on disk.
            try check(archive_write_set_bytes_per_block(handle, 0), "unblocked output")
        }
        try check(archive_write_open_filename(handle, path), "open \(path)")
    }

    deinit { archive_write_free(handle) }

    func directory(_ path: String, mode: UInt32 = 0o755) throws {
        try header(path, type: 0o040000, mode: mode, size: 0)
    }

    func file(_ path: String, _ text: String, mode: UInt32 = 0o644) throws {
        try file(path, Array(text.utf8), mode: mode)
    }

    func file(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws {
        try header(path, type: 0o100000, mode: mode, size: Int64(bytes.count))
        if !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { archive_write_data(handle, $0.baseAddress, $0.count) }
            guard written == bytes.count else { throw failure("write data of \(path)") }
        }
    }

    /// A regular file of `size` zero bytes, streamed in chunks so nothing that large is in memory.
    func zeros(_ path: String, size: Int64, chunk: Int = 1 << 20) throws {
        try header(path, type: 0o100000, mode: 0o644, size: size)
        let buffer = [UInt8](repeating: 0, count: chunk)
        var remaining = size
        while remaining > 0 {
            let count = Int(min(Int64(chunk), remaining))
            let written = buffer.withUnsafeBytes { archive_write_data(handle, $0.baseAddress, count) }
            guard written == count else { throw failure("write zeros of \(path)") }
            remaining -= Int64(count)
        }
    }

    /// Only the header of a file entry that declares `size` bytes; the archive is then abandoned
    /// without its data, as a bomb's header is all an extractor with a declared-size check reads.
    func declaredOnly(_ path: String, size: Int64) throws {
        try header(path, type: 0o100000, mode: 0o644, size: size)
    }

    func symlink(_ path: String, to target: String) throws {
        try header(path, type: 0o120000, mode: 0o777, size: 0) { archive_entry_set_symlink($0, target) }
    }

    func hardlink(_ path: String, to target: String) throws {
        try header(path, type: 0o100000, mode: 0o644, size: 0) { archive_entry_set_hardlink($0, target) }
    }

    func characterDevice(_ path: String, major: Int32, minor: Int32) throws {
        try header(path, type: 0o020000, mode: 0o666, size: 0) {
            archive_entry_set_rdevmajor($0, dev_t(major))
            archive_entry_set_rdevminor($0, dev_t(minor))
        }
    }

    func fifo(_ path: String) throws {
        try header(path, type: 0o010000, mode: 0o644, size: 0)
    }

    func finish() throws {
        finished = true
        try check(archive_write_close(handle), "close")
    }

    /// Leaves the archive as it is without writing padding or the end-of-archive blocks.
    func abandon() {
        finished = true
        archive_write_fail(handle)
    }

    private func header(_ path: String, type: UInt32, mode: UInt32, size: Int64,
                        extra: (OpaquePointer) -> Void = { _ in }) throws {
        guard let entry = archive_entry_new() else { throw Failure(description: "archive_entry_new failed") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, path)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_size(entry, size)
        archive_entry_set_mtime(entry, time_t(Self.defaultTime), 0)
        archive_entry_set_uid(entry, owner.uid)
        archive_entry_set_gid(entry, owner.gid)
        extra(entry)
        try check(archive_write_header(handle, entry), "write header of \(path)")
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw failure(what) }
    }

    private func failure(_ what: String) -> Failure {
        let reason = archive_error_string(handle).map { String(cString: $0) } ?? "unknown error"
        return Failure(description: "\(what): \(reason)")
    }

    /// Compresses a file with gzip as a plain stream (no tar framing), for layers whose tar bytes
    /// were made or damaged by hand.
    static func gzip(_ source: String, to destination: String) throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        guard let handle = archive_write_new() else { throw Failure(description: "archive_write_new failed") }
        defer { archive_write_free(handle) }
        archive_write_set_format_raw(handle)
        archive_write_add_filter_gzip(handle)
        guard archive_write_open_filename(handle, destination) == ARCHIVE_OK,
              let entry = archive_entry_new() else { throw Failure(description: "cannot open \(destination)") }
        defer { archive_entry_free(entry) }
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_pathname(entry, "data")
        guard archive_write_header(handle, entry) == ARCHIVE_OK else { throw Failure(description: "raw header") }
        let written = bytes.withUnsafeBytes { archive_write_data(handle, $0.baseAddress, $0.count) }
        guard written == bytes.count, archive_write_close(handle) == ARCHIVE_OK else {
            throw Failure(description: "cannot gzip \(source)")
        }
    }
}

/// Builds one layer file with a closure and returns its path.
func makeLayer(_ path: String, compression: TarWriter.Compression = .gzip,
               _ body: (TarWriter) throws -> Void) throws -> String {
    let writer = try TarWriter(path: path, compression: compression)
    try body(writer)
    try writer.finish()
    return path
}
