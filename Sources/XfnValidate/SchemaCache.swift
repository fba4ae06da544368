import Foundation
import XfnCore

/// Schema sources already read once, stored under `$CACHE/schemas/v2/`, keyed by the SHA-256 of the
/// source file's bytes (or by a package's digest). Local files are found again by their `stat`
/// fingerprint (`sources.index`), so a warm run neither reads nor hashes unchanged sources; it
/// loads the schemas of only the kinds its resources use, and parses no CRD YAML.
public struct SchemaCache: Sendable {
    public let directory: String
    /// Read nothing back; store afresh (`--update-cache`).
    public var ignoresStoredEntries: Bool
    let sources: SourceIndex
    /// The cached schemas known to compile.
    let compiled: CompileRecord

    public init(cacheDirectory: String, ignoresStoredEntries: Bool = false) {
        directory = cacheDirectory + "/schemas/v2"
        self.ignoresStoredEntries = ignoresStoredEntries
        sources = SourceIndex(path: directory + "/sources.index")
        compiled = CompileRecord(path: directory + "/compiled.index")
    }

    /// Starts reading what a warm run looks up first, while the caller lists its inputs.
    public func prefetch() {
        if !ignoresStoredEntries { sources.prefetch() }
    }

    /// What a source holds, without its schemas.
    public struct Index: Sendable {
        /// The kinds the source defines schemas for.
        public var kinds: [GroupVersionKind] = []
        /// The type of every document in the source, so a run knows whether it must read it again.
        public var documentKinds: [GroupVersionKind] = []
        /// Provider and Function packages the source names.
        public var packages: [String] = []
        public var configurationPackages: [String] = []
        /// `meta.pkg.crossplane.io` Configuration objects, kept whole for their `dependsOn`.
        public var configurationMetas: [Value] = []
        /// Everything in the source is a schema source: a run need not parse it for resources.
        public var onlySources = false

        public init() {}

        /// Whether the source supplies anything; sources that do not are cheaper to read again
        /// than to keep (creating many small files is slow on some file systems).
        public var contributes: Bool {
            !kinds.isEmpty || !packages.isEmpty || !configurationPackages.isEmpty || !configurationMetas.isEmpty
        }

        var json: Value {
            [
                "kinds": .array(kinds.map(Self.pair)),
                "documentKinds": .array(documentKinds.map(Self.pair)),
                "packages": .array(packages.map { .string($0) }),
                "configurationPackages": .array(configurationPackages.map { .string($0) }),
                "configurationMetas": .array(configurationMetas),
                "onlySources": .bool(onlySources),
            ]
        }

        init?(json: Value) {
            func kinds(_ key: String) -> [GroupVersionKind]? {
                json[key]?.arrayValue?.compactMap { pair in
                    guard let items = pair.arrayValue, items.count == 2, let a = items[0].stringValue, let k = items[1].stringValue else { return nil }
                    return GroupVersionKind(apiVersion: a, kind: k)
                }
            }
            guard let provided = kinds("kinds"), let documents = kinds("documentKinds"),
                  let onlySources = json["onlySources"]?.boolValue else { return nil }
            self.kinds = provided
            self.documentKinds = documents
            self.packages = json["packages"]?.arrayValue?.compactMap(\.stringValue) ?? []
            self.configurationPackages = json["configurationPackages"]?.arrayValue?.compactMap(\.stringValue) ?? []
            self.configurationMetas = json["configurationMetas"]?.arrayValue ?? []
            self.onlySources = onlySources
        }

        private static func pair(_ gvk: GroupVersionKind) -> Value { [.string(gvk.apiVersion), .string(gvk.kind)] }
    }

    public static func key(forContents data: Data) -> String { "file-" + SHA256Hasher.digest(data).hex }

    public static func key(forPackageDigest digest: String) -> String {
        "package-" + digest.replacingOccurrences(of: ":", with: "-")
    }

    /// One file per source: the index on the first line, then one line per schema:
    /// `<sha256 of the rest>\t["apiVersion","kind","crd"]\t<schema>`, the schema without its prose.
    /// A warm run reads only the first line of a package's file, and parses only the lines of the
    /// kinds it uses.
    func path(_ key: String) -> String { "\(directory)/\(key).json" }

    /// The stored index, or nil when there is none (or it cannot be read back, which a later
    /// store repairs).
    public func index(forKey key: String) -> Index? {
        guard !ignoresStoredEntries, let line = Self.firstLine(of: path(key)),
              let value = try? ValueJSON.parse(Data(line)) else { return nil }
        return Index(json: value)
    }

    /// The schemas stored with an index; only those of `kinds` when given. A line that does not
    /// match its checksum makes the whole entry unusable. Each entry carries its line's checksum.
    public func entries(forKey key: String, origin: String, kinds: Set<GroupVersionKind>? = nil) throws -> [SchemaEntry] {
        let file = path(key)
        let data: [UInt8]
        do { data = try FileContents.read(atPath: file) } catch {
            throw ValidateError("the schema cache entry \(file) is unreadable: \((error as? any XfnError)?.message ?? "\(error)")",
                                hint: "run again with --clean-cache")
        }
        func corrupt(_ reason: String) -> ValidateError {
            ValidateError("the schema cache entry \(file) is corrupt: \(reason)", hint: "run again with --clean-cache")
        }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> [SchemaEntry] in
            let bytes = raw.bindMemory(to: UInt8.self)
            let newline = UInt8(ascii: "\n"), tab = UInt8(ascii: "\t")
            func find(_ byte: UInt8, from start: Int, before end: Int) -> Int? {
                guard start < end, let base = bytes.baseAddress,
                      let found = memchr(base + start, Int32(byte), end - start) else { return nil }
                return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            guard let first = find(newline, from: 0, before: bytes.count) else {
                throw ValidateError("the schema cache entry \(file) is missing or truncated", hint: "run again with --clean-cache")
            }
            guard bytes.last == newline else { throw corrupt("it does not end with a newline") }
            var result: [SchemaEntry] = []
            var start = first + 1
            while start < bytes.count {
                let end = find(newline, from: start, before: bytes.count)!
                defer { start = end + 1 }
                // An empty line holds nothing, as a split that drops empty pieces read it.
                if end == start { continue }
                guard let firstTab = find(tab, from: start, before: end), firstTab - start == 64,
                      let secondTab = find(tab, from: firstTab + 1, before: end) else {
                    throw corrupt("a schema line lacks its fields")
                }
                let names: Value
                do { names = try ValueJSON.parse(bytes: UnsafeRawBufferPointer(rebasing: raw[(firstTab + 1)..<secondTab])) } catch {
                    throw corrupt("\(error)")
                }
                guard let items = names.arrayValue, items.count == 3, let apiVersion = items[0].stringValue,
                      let kind = items[1].stringValue, let crd = items[2].stringValue else { throw corrupt("a schema line lacks its kind") }
                let gvk = GroupVersionKind(apiVersion: apiVersion, kind: kind)
                if let kinds, !kinds.contains(gvk) { continue }
                let checksum = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<firstTab]), as: UTF8.self)
                let hasher = SHA256Hasher()
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[(firstTab + 1)..<end]))
                guard hasher.finalize().hex == checksum else {
                    throw corrupt("the schema of \(gvk) does not match its checksum")
                }
                do {
                    let schema = try ValueJSON.parse(bytes: UnsafeRawBufferPointer(rebasing: raw[(secondTab + 1)..<end]))
                    result.append(SchemaEntry(gvk: gvk, crdName: crd, schema: schema, origin: origin, checksum: checksum))
                } catch {
                    throw corrupt("\(error)")
                }
            }
            return result
        }
    }

    /// Writes through a temporary file and a rename, so a reader never sees half an entry and
    /// concurrent runs may store the same key.
    public func store(key: String, index: Index, entries: [SchemaEntry]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes = CompactJSON.encode(index.json)
        bytes.append(UInt8(ascii: "\n"))
        for entry in entries {
            var rest = CompactJSON.encode([.string(entry.gvk.apiVersion), .string(entry.gvk.kind), .string(entry.crdName)])
            rest.append(UInt8(ascii: "\t"))
            rest += CompactJSON.encode(SchemaStripping.strip(entry.schema))
            bytes += Array(SHA256Hasher.digest(Data(rest)).hex.utf8)
            bytes.append(UInt8(ascii: "\t"))
            bytes += rest
            bytes.append(UInt8(ascii: "\n"))
        }
        try CacheFile.write(bytes, to: path(key))
    }

    /// Remembers which schemas compiled in this run.
    func saveCompileRecord() throws {
        guard compiled.hasAdditions else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try compiled.save()
    }

    /// Remembers the fingerprints of the local sources read in this run.
    public func saveSourceIndex() throws {
        guard !sources.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try sources.save()
        removeEarlierLayouts()
    }

    /// Earlier builds' layouts, which nothing reads any more (tens of megabytes for a large
    /// provider); removed when this layout is written, so upgrading leaves no garbage behind.
    static let earlierLayouts = ["v1"]

    private func removeEarlierLayouts() {
        let parent = (directory as NSString).deletingLastPathComponent
        for layout in Self.earlierLayouts where FileManager.default.fileExists(atPath: parent + "/" + layout) {
            // Best effort: a layout that cannot be removed now is tried again on the next cold run.
            _ = try? FileManager.default.removeItem(atPath: parent + "/" + layout)
        }
    }

    /// The bytes before the first newline, read in small pieces; nil when the file is absent.
    private static func firstLine(of path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var line: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            if let newline = buffer[..<count].firstIndex(of: UInt8(ascii: "\n")) {
                return line + buffer[..<newline]
            }
            line += buffer[..<count]
        }
    }

    /// Removes every cached schema (`--clean-cache`).
    public func clean() throws {
        let parent = (directory as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: parent) else { return }
        try FileManager.default.removeItem(atPath: parent)
    }
}
