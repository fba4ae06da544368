import CArchive
import COpenSSL
import Foundation

/// One regular file for a test layer.
public struct TarFile: Sendable {
    public enum Contents: Sendable {
        case bytes(Data)
        /// `count` bytes from OpenSSL's random generator, produced while writing.
        case random(count: Int)
    }

    public let path: String
    public let contents: Contents
    public let mode: Int32

    public init(path: String, contents: Data, mode: Int32 = 0o644) {
        self.path = path
        self.contents = .bytes(contents)
        self.mode = mode
    }

    public init(path: String, randomBytes count: Int, mode: Int32 = 0o644) {
        self.path = path
        self.contents = .random(count: count)
        self.mode = mode
    }
}

/// Writes tar files (and gzips them) with libarchive; one owner per archive handle.
final class TarWriter {
    private let archive: OpaquePointer
    private let path: String
    private var closed = false

    /// A PAX tar at `path`, or — with `rawGzip` — a gzip stream holding exactly one entry's bytes.
    private init(path: String, rawGzip: Bool) throws {
        guard let archive = archive_write_new() else { throw TestSupportError("archive_write_new failed") }
        self.archive = archive
        self.path = path
        if rawGzip {
            archive_write_add_filter_gzip(archive)
            // Fixture layers are mostly random bytes; the fastest level keeps big images cheap to build.
            archive_write_set_filter_option(archive, "gzip", "compression-level", "1")
            archive_write_set_format_raw(archive)
        } else {
            archive_write_set_format_pax_restricted(archive)
        }
        try check(archive_write_open_filename(archive, path), "open")
    }

    deinit {
        if !closed { archive_write_close(archive) }
        archive_write_free(archive)
    }

    private func check(_ status: Int32, _ what: String) throws {
        guard status >= ARCHIVE_WARN else {
            let reason = archive_error_string(archive).map { String(cString: $0) } ?? "error \(status)"
            throw TestSupportError("libarchive \(what) \(path): \(reason)")
        }
    }

    private func add(path name: String, size: Int, mode: Int32, write: (_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard let entry = archive_entry_new() else { throw TestSupportError("archive_entry_new failed") }
        defer { archive_entry_free(entry) }
        archive_entry_set_pathname(entry, name)
        archive_entry_set_size(entry, la_int64_t(size))
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_perm(entry, mode_t(mode))
        archive_entry_set_mtime(entry, 0, 0)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        try check(archive_write_header(archive, entry), "write header for \(name) in")
        try write { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return }
            let written = archive_write_data(archive, base, buffer.count)
            guard written == buffer.count else { try check(Int32(truncatingIfNeeded: written), "write \(name) in") ; return }
        }
    }

    private func finish() throws {
        closed = true
        try check(archive_write_close(archive), "close")
    }

    /// Writes an uncompressed tar of `files` to `path`.
    static func writeTar(_ files: [TarFile], to path: String) throws {
        let writer = try TarWriter(path: path, rawGzip: false)
        for file in files {
            switch file.contents {
            case .bytes(let data):
                try writer.add(path: file.path, size: data.count, mode: file.mode) { sink in
                    try data.withUnsafeBytes { try sink($0) }
                }
            case .random(let count):
                try writer.add(path: file.path, size: count, mode: file.mode) { sink in
                    var chunk = [UInt8](repeating: 0, count: 1 << 20)
                    var remaining = count
                    while remaining > 0 {
                        let size = min(remaining, chunk.count)
                        guard RAND_bytes(&chunk, Int32(size)) == 1 else { throw TestSupportError("RAND_bytes failed") }
                        try chunk.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
                        remaining -= size
                    }
                }
            }
        }
        try writer.finish()
    }

    /// Gzips the file at `source` into `destination`.
    static func gzip(_ source: String, to destination: String) throws {
        guard let input = FileHandle(forReadingAtPath: source) else { throw TestSupportError("cannot read \(source)") }
        defer { try? input.close() }
        let size = try FileManager.default.attributesOfItem(atPath: source)[.size] as? Int ?? 0
        let writer = try TarWriter(path: destination, rawGzip: true)
        try writer.add(path: "data", size: size, mode: 0o644) { sink in
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try sink($0) }
            }
        }
        try writer.finish()
    }
}
