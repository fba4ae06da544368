import Foundation
import XfnCore

/// Schema sources already read once, stored as compact JSON under `$CACHE/schemas/v1/`, keyed by the
/// SHA-256 of the source file's bytes (or by a package's digest). A warm run reads a small index per
/// source and the schemas of only the kinds its resources use; it parses no CRD YAML.
public struct SchemaCache: Sendable {
    public let directory: String
    /// Read nothing back; store afresh (`--update-cache`).
    public var ignoresStoredEntries: Bool

    public init(cacheDirectory: String, ignoresStoredEntries: Bool = false) {
        directory = cacheDirectory + "/schemas/v1"
        self.ignoresStoredEntries = ignoresStoredEntries
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

    /// One file per source: the index on the first line, the schemas after it. A warm run reads
    /// only the first line of most of them.
    private func path(_ key: String) -> String { "\(directory)/\(key).json" }

    /// The stored index, or nil when there is none (or it cannot be read back, which a later
    /// store repairs).
    public func index(forKey key: String) -> Index? {
        guard !ignoresStoredEntries, let line = Self.firstLine(of: path(key)),
              let value = try? ValueJSON.parse(Data(line)) else { return nil }
        return Index(json: value)
    }

    /// The schemas stored with an index.
    public func entries(forKey key: String, origin: String) throws -> [SchemaEntry] {
        let file = path(key)
        guard let data = FileManager.default.contents(atPath: file),
              let newline = data.firstIndex(of: UInt8(ascii: "\n")) else {
            throw ValidateError("the schema cache entry \(file) is missing or truncated", hint: "run again with --clean-cache")
        }
        let value: Value
        do { value = try ValueJSON.parse(data[(newline + 1)...]) } catch {
            throw ValidateError("the schema cache entry \(file) is corrupt: \(error)", hint: "run again with --clean-cache")
        }
        return (value.arrayValue ?? []).compactMap { SchemaEntry(json: $0, origin: origin) }
    }

    /// Writes through a temporary file and a rename, so a reader never sees half an entry and
    /// concurrent runs may store the same key.
    public func store(key: String, index: Index, entries: [SchemaEntry]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes = CompactJSON.encode(index.json)
        bytes.append(UInt8(ascii: "\n"))
        bytes += CompactJSON.encode(.array(entries.map(\.json)))
        try write(bytes, to: path(key))
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

    /// No fsync: a lost entry is only read again from its source, and the rename keeps readers
    /// from ever seeing a partial file.
    private func write(_ bytes: [UInt8], to destination: String) throws {
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

    /// Removes every cached schema (`--clean-cache`).
    public func clean() throws {
        let parent = (directory as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: parent) else { return }
        try FileManager.default.removeItem(atPath: parent)
    }
}
