import Foundation
import Synchronization
import XfnCore

/// Which content key (and what schema-cache index) a local file had when it was last read, by path
/// and `stat` fingerprint, as git's index remembers the blobs of a work tree: a warm run stats its
/// sources instead of reading and hashing them.
///
/// One file, `sources.index`, rewritten whole through a temporary file and a rename, with a SHA-256
/// of its text on its last line; a file that does not check out is ignored (and rewritten by the
/// run), never trusted. Concurrent runs may each rewrite it: the last rename wins and the other run's
/// new records are merely read again next time.
final class SourceIndex: Sendable {
    struct Record: Sendable {
        var stamp: FileStamp
        /// The coarse real-time clock just before the file was stat'ed and read.
        var verifiedAt: Int64
        var key: String
        /// `SchemaCache.Index` as compact JSON, parsed only when a run asks for the file.
        var index: [UInt8]
    }

    static let header = "xfn source index 1"

    let path: String
    private struct State {
        var loaded = false
        /// The index file's own modification time, on the file system's clock.
        var written: Int64 = 0
        var stored = StoredRecords.none
        var updates: [String: Record] = [:]
    }
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    /// Starts reading the index file on another thread, so it is ready by the time the run's
    /// inputs are listed; a lookup made before it is done waits for it.
    func prefetch() {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            state.withLock { loadIfNeeded(&$0) }
        }
    }

    private func loadIfNeeded(_ state: inout State) {
        guard !state.loaded else { return }
        (state.written, state.stored) = Self.readStored(path)
        state.loaded = true
    }

    /// Whether this run recorded nothing.
    var isEmpty: Bool { state.withLock { $0.updates.isEmpty } }

    /// The key and index of `file` when its fingerprint is unchanged and was not racy: a file
    /// modified in the same clock tick as it was read (or as the index was written) could have
    /// changed again without its stamp moving, so it is read and hashed again.
    func lookup(_ file: String, stamp: FileStamp) -> (key: String, index: SchemaCache.Index)? {
        let (stored, written) = state.withLock { state in
            loadIfNeeded(&state)
            return (state.stored, state.written)
        }
        guard let record = stored.record(file), record.stamp == stamp,
              stamp.modified < record.verifiedAt, stamp.modified < written,
              let index = SchemaCache.Index(compactJSON: record.index) ?? Self.parsedIndex(record.index) else { return nil }
        return (record.key, index)
    }

    /// A record's index in any JSON form; nil when it does not parse, and the file is read again.
    private static func parsedIndex(_ text: [UInt8]) -> SchemaCache.Index? {
        guard let value = try? text.withUnsafeBytes({ try ValueJSON.parse(bytes: $0) }) else { return nil }
        return SchemaCache.Index(json: value)
    }

    /// Remembers what a file held; `stamp` must be taken before reading it and found unchanged after.
    func record(_ file: String, stamp: FileStamp, verifiedAt: Int64, key: String, index: SchemaCache.Index) {
        guard !file.utf8.contains(where: { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") }) else { return }
        let record = Record(stamp: stamp, verifiedAt: verifiedAt, key: key, index: CompactJSON.encode(index.json))
        state.withLock { state in
            // A record that stands already is not written again, so a warm run rewrites nothing.
            if state.loaded, let known = state.stored.record(file), known.stamp == stamp, known.key == key,
               known.index == record.index, stamp.modified < known.verifiedAt, stamp.modified < state.written { return }
            state.updates[file] = record
        }
    }

    /// Writes this run's records over what the file holds now (another run may have written it
    /// since), dropping records of files that are gone or changed. Nothing is written when nothing
    /// was recorded.
    func save() throws {
        let updates = state.withLock { state in
            let updates = state.updates
            state.updates = [:]
            return updates
        }
        guard !updates.isEmpty else { return }
        var records = Self.read(path).records
        records.merge(updates) { _, new in new }
        var text: [UInt8] = Array(Self.header.utf8)
        text.append(UInt8(ascii: "\n"))
        for (file, record) in records.sorted(by: { $0.key < $1.key }) {
            if updates[file] == nil, FileStamp(path: file) != record.stamp { continue }
            let stamp = record.stamp
            text += Array("\(file)\t\(stamp.device)\t\(stamp.inode)\t\(stamp.size)\t\(stamp.modified)\t\(stamp.changed)\t\(record.verifiedAt)\t\(record.key)\t".utf8)
            text += record.index
            text.append(UInt8(ascii: "\n"))
        }
        text += Array("sha256 \(SHA256Hasher.digest(Data(text)).hex)\n".utf8)
        try CacheFile.write(text, to: path)
    }

    /// The coarse real-time clock, which Linux file systems stamp modification times from.
    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }

    /// The records of the index file and its modification time; none when it is absent or damaged.
    static func read(_ path: String) -> (written: Int64, records: [String: Record]) {
        let (written, stored) = readStored(path)
        return (written, stored.all)
    }

    /// The index file's lines, each decoded when its file is looked up.
    private static func readStored(_ path: String) -> (written: Int64, stored: StoredRecords) {
        // An index that cannot be read is no index: every source is read again, and it is rewritten.
        guard let (bytes, status) = try? FileContents.readWithStatus(atPath: path), let stored = StoredRecords(bytes) else {
            return (0, .none)
        }
        return (FileStamp(status).modified, stored)
    }

    /// The lines of an index file that checks out, found by the path each starts with. The rest of
    /// a line is decoded only when its file is looked up: a run's inputs are listed while the
    /// index is read, and they wait for it, so reading it does no more than it must. A line that
    /// does not decode is no record, and its file is read again.
    struct StoredRecords: Sendable {
        private let bytes: [UInt8]
        /// After each path, the range of the line's other eight fields.
        private let lines: [String: Range<Int>]

        static let none = StoredRecords(bytes: [], lines: [:])

        private init(bytes: [UInt8], lines: [String: Range<Int>]) {
            self.bytes = bytes
            self.lines = lines
        }

        /// Lines of nine tab-separated fields after the header, then the checksum line; nil when
        /// the checksum or the header does not match.
        init?(_ bytes: [UInt8]) {
            guard let lines = bytes.withUnsafeBufferPointer(Self.lines) else { return nil }
            self.init(bytes: bytes, lines: lines)
        }

        var isEmpty: Bool { lines.isEmpty }

        func record(_ file: String) -> Record? {
            guard let range = lines[file] else { return nil }
            return bytes.withUnsafeBufferPointer { Self.decode(UnsafeBufferPointer(rebasing: $0[range])) }
        }

        /// Every record that decodes.
        var all: [String: Record] {
            var records: [String: Record] = [:]
            records.reserveCapacity(lines.count)
            for file in lines.keys { records[file] = record(file) }
            return records
        }

        private static func find(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, before end: Int) -> Int? {
            guard start < end, let base = bytes.baseAddress,
                  let found = memchr(base + start, Int32(byte), end - start) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }

        private static func lines(_ bytes: UnsafeBufferPointer<UInt8>) -> [String: Range<Int>]? {
            // The checksum line: "sha256 " and 64 hex digits and a newline, over everything before it.
            let trailer = 7 + 64 + 1
            guard bytes.count >= trailer, bytes.last == UInt8(ascii: "\n") else { return nil }
            let bodyEnd = bytes.count - trailer
            let hasher = SHA256Hasher()
            hasher.update(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<bodyEnd])))
            guard bodyEnd == 0 || bytes[bodyEnd - 1] == UInt8(ascii: "\n"),
                  bytes[bodyEnd..<(bodyEnd + 7)].elementsEqual("sha256 ".utf8),
                  bytes[(bodyEnd + 7)..<(bytes.count - 1)].elementsEqual(hasher.finalize().hex.utf8) else { return nil }
            // An empty body has no header line, as splitting an empty text yields one empty line.
            let headerEnd = find(UInt8(ascii: "\n"), in: bytes, from: 0, before: bodyEnd) ?? bodyEnd
            guard bytes[0..<headerEnd].elementsEqual(header.utf8) else { return nil }
            var lines: [String: Range<Int>] = [:]
            var start = headerEnd + 1
            while start < bodyEnd {
                let end = find(UInt8(ascii: "\n"), in: bytes, from: start, before: bodyEnd) ?? bodyEnd
                defer { start = end + 1 }
                if end == start { continue }
                guard let tab = find(UInt8(ascii: "\t"), in: bytes, from: start, before: end) else { return nil }
                lines[String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<tab]), as: UTF8.self)] = (tab + 1)..<end
            }
            return lines
        }

        /// The eight fields after a line's path.
        private static func decode(_ line: UnsafeBufferPointer<UInt8>) -> Record? {
            var fields: [Range<Int>] = []
            fields.reserveCapacity(8)
            var fieldStart = line.startIndex
            while fields.count < 7, let tab = find(UInt8(ascii: "\t"), in: line, from: fieldStart, before: line.endIndex) {
                fields.append(fieldStart..<tab)
                fieldStart = tab + 1
            }
            fields.append(fieldStart..<line.endIndex)
            guard fields.count == 8 else { return nil }
            func text(_ range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self) }
            // What `Int64(String)` and `UInt64(String)` accept: an optional sign, then decimal digits.
            func unsigned(_ range: Range<Int>) -> UInt64? {
                guard !range.isEmpty, range.count < 19, line[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    return UInt64(text(range))
                }
                return line[range].reduce(0) { $0 * 10 + UInt64($1 - 0x30) }
            }
            func signed(_ range: Range<Int>) -> Int64? {
                guard !range.isEmpty, range.count < 19, line[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                    return Int64(text(range))
                }
                return line[range].reduce(0) { $0 * 10 + Int64($1 - 0x30) }
            }
            guard let device = unsigned(fields[0]), let inode = unsigned(fields[1]),
                  let size = signed(fields[2]), let modified = signed(fields[3]), let changed = signed(fields[4]),
                  let verifiedAt = signed(fields[5]) else { return nil }
            let stamp = FileStamp(device: device, inode: inode, size: size, modified: modified, changed: changed)
            return Record(stamp: stamp, verifiedAt: verifiedAt, key: text(fields[6]), index: Array(UnsafeBufferPointer(rebasing: line[fields[7]])))
        }
    }
}
