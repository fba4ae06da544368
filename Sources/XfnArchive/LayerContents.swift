/// Reads from a single layer without writing anything to disk: one file into memory, or the list
/// of entries.
public enum LayerContents {
    /// The contents of the file at `path` (e.g. `package.yaml`), or nil if the layer has no such
    /// entry. A path written twice in a layer is read from its last occurrence, as extraction
    /// would leave it. Refuses files larger than `maxBytes` before reading them.
    public static func readFile(_ path: String, from layer: LayerFile, maxBytes: Int) async throws -> [UInt8]? {
        try await BlockingThread.runCancellable(name: "xfn-layer-read") { flag in
            try readFileBlocking(path, from: layer, maxBytes: maxBytes, cancellation: flag)
        }
    }

    /// Every entry of the layer, in archive order.
    public static func list(_ layer: LayerFile) async throws -> [ArchiveEntryInfo] {
        try await BlockingThread.runCancellable(name: "xfn-layer-list") { flag in
            try listBlocking(layer, cancellation: flag)
        }
    }

    public static func readFileBlocking(_ path: String, from layer: LayerFile, maxBytes: Int) throws -> [UInt8]? {
        try readFileBlocking(path, from: layer, maxBytes: maxBytes, cancellation: nil)
    }

    public static func listBlocking(_ layer: LayerFile) throws -> [ArchiveEntryInfo] {
        try listBlocking(layer, cancellation: nil)
    }

    static func readFileBlocking(_ path: String, from layer: LayerFile, maxBytes: Int,
                                 cancellation: CancellationFlag?) throws -> [UInt8]? {
        let wanted: RootPath
        do {
            wanted = try RootPath(archivePath: path)
        } catch {
            throw ArchiveError(.pathEscapes, layer: layer.name, entry: path, detail: "not a path inside a layer")
        }
        let found = try readFilesBlocking(from: layer, maxBytes: maxBytes, cancellation: cancellation) { entryPath, rawPath, kind in
            guard entryPath == wanted else { return false }
            guard kind == .file else {
                throw ArchiveError(.notARegularFile, layer: layer.name, entry: rawPath, detail: "is a \(kind.rawValue), not a regular file")
            }
            return true
        }
        return found.last?.contents
    }

    /// Every regular file whose path `matches`, in one pass over the layer, each refused when larger
    /// than `maxBytes`; a path written twice keeps its last copy. For images whose interesting files
    /// are known by pattern rather than name (the Crossplane image's `crds/*.yaml`).
    public static func readFiles(from layer: LayerFile, maxBytes: Int,
                                 matching: @escaping @Sendable (_ path: String) -> Bool) async throws -> [(path: String, contents: [UInt8])] {
        try await BlockingThread.runCancellable(name: "xfn-layer-read") { flag in
            try readFilesBlocking(from: layer, maxBytes: maxBytes, cancellation: flag) { entryPath, _, kind in
                kind == .file && matching(entryPath.description)
            }
        }
    }

    static func readFilesBlocking(from layer: LayerFile, maxBytes: Int, cancellation: CancellationFlag?,
                                  selecting: (RootPath, String, EntryKind) throws -> Bool) throws -> [(path: String, contents: [UInt8])] {
        let reader = try ArchiveReader(path: layer.path, layer: layer.name)
        var found: [String: (order: Int, contents: [UInt8])] = [:]
        var order = 0
        while let entry = try reader.nextEntry() {
            try checkCancellation(cancellation, layer: layer)
            let rawPath = entry.path
            // Entries with unsafe names cannot be a file asked for; extraction would refuse them.
            guard let entryPath = try? RootPath(archivePath: rawPath), try selecting(entryPath, rawPath, entry.kind) else { continue }
            let size = entry.size
            if size > Int64(maxBytes) {
                throw ArchiveError(.fileTooLarge, layer: layer.name, entry: rawPath,
                                   detail: "is \(size) bytes, more than the \(maxBytes) bytes allowed")
            }
            var contents = [UInt8](repeating: 0, count: Int(size))
            try reader.forEachBlock(entry: rawPath) { block, offset in
                guard offset >= 0, offset + Int64(block.count) <= size else {
                    throw ArchiveError(.corrupt, layer: layer.name, entry: rawPath, detail: "data runs past the declared size")
                }
                contents.withUnsafeMutableBytes { target in
                    target.baseAddress!.advanced(by: Int(offset)).copyMemory(from: block.baseAddress!, byteCount: block.count)
                }
            }
            order += 1
            found[entryPath.description] = (order, contents)
        }
        return found.sorted { $0.value.order < $1.value.order }.map { ($0.key, $0.value.contents) }
    }

    static func listBlocking(_ layer: LayerFile, cancellation: CancellationFlag?) throws -> [ArchiveEntryInfo] {
        let reader = try ArchiveReader(path: layer.path, layer: layer.name)
        var entries: [ArchiveEntryInfo] = []
        while let entry = try reader.nextEntry() {
            try checkCancellation(cancellation, layer: layer)
            let kind = entry.kind
            entries.append(ArchiveEntryInfo(
                path: entry.path,
                kind: kind,
                size: entry.size,
                permissions: entry.permissions,
                linkTarget: kind == .hardlink ? entry.hardlinkTarget : (kind == .symlink ? entry.symlinkTarget : nil),
                uid: entry.uid,
                gid: entry.gid,
                modificationTime: entry.modificationTime.map { Int64($0.tv_sec) }))
        }
        return entries
    }

    private static func checkCancellation(_ flag: CancellationFlag?, layer: LayerFile) throws {
        if flag?.isCancelled == true {
            throw ArchiveError(.cancelled, layer: layer.name, detail: "reading was cancelled")
        }
    }
}
