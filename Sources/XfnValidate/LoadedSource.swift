import Foundation
import XfnCore
import XfnYAML

/// One input file after reading: its documents (unless the schema cache made reading them
/// unnecessary) and what it contributes as schema sources.
struct LoadedSource: Sendable {
    let location: InputLocation
    /// Given as a schema source only (`--extensions`, crossplane's EXTENSIONS argument).
    let isExtension: Bool
    var documents: [YAMLDocument]?
    /// Whether the YAML was parsed in this run (rather than answered from the schema cache).
    var wasParsed = false
    /// Documents of the stream that could not be parsed, keyed by how many good documents precede them.
    var documentErrors: [Int: [YAMLError]] = [:]
    var readError: (any XfnError)?
    var cacheKey: String?
    var index = SchemaCache.Index()
    /// Schemas found while parsing; nil when they stay in the cache until a resource needs them.
    var entries: [SchemaEntry]?
    /// Schema sources that could not be used (an XRD that cannot be converted), by document.
    var sourceErrors: [Int: String] = [:]
    var cacheNotice: String?

    struct Settings: Sendable {
        var cache: SchemaCache?
        var allowDuplicateKeys: Bool
        var standardInput: @Sendable () throws -> Data
        /// Inputs holding only schema sources may be answered from the cache (xfn's sorted form);
        /// crossplane's form validates every document of its inputs, so it must read them.
        var skipsSchemaOnlyInputs: Bool
    }

    /// Reads, hashes and (when needed) parses one input. Blocking; run it off the cooperative pool.
    static func load(_ location: InputLocation, isExtension: Bool, settings: Settings) -> LoadedSource {
        var loaded = LoadedSource(location: location, isExtension: isExtension)
        // Standard input cannot be read twice, so it is never left for a later reparse.
        let skippable = isExtension || (settings.skipsSchemaOnlyInputs && location != .standardInput)
        var fingerprint: (stamp: FileStamp, verifiedAt: Int64)?
        // What the source index knows of a file that must be read anyway (a resource file): its
        // key, so it is not hashed again, and that its record stands.
        var recorded: (key: String, index: SchemaCache.Index)?
        if let cache = settings.cache, case .file(let path) = location {
            let verifiedAt = SourceIndex.now()
            if let stamp = FileStamp(path: path) {
                fingerprint = (stamp, verifiedAt)
                // The entry's schemas are not looked for here: a run reads only those of the kinds
                // it uses, and one found missing or damaged then makes it read this file again.
                if !cache.ignoresStoredEntries, let (key, index) = cache.sources.lookup(path, stamp: stamp) {
                    if skippable, index.onlySources || isExtension {
                        loaded.cacheKey = key
                        loaded.index = index
                        return loaded
                    }
                    recorded = (key, index)
                }
            }
        }
        let data: Data
        let stampAfterReading: FileStamp?
        do { (data, stampAfterReading) = try location.readContentsAndStamp(standardInput: settings.standardInput) } catch {
            loaded.readError = (error as? any XfnError) ?? ValidateError("cannot read \(location): \(error)")
            return loaded
        }
        // Remembered only when the file did not move while it was read.
        if let before = fingerprint, stampAfterReading != before.stamp {
            fingerprint = nil
            recorded = nil
        }
        if let recorded {
            // The file is as recorded: its key stands, and it was not schema-only.
            loaded.cacheKey = recorded.key
        } else if let cache = settings.cache {
            let key = SchemaCache.key(forContents: data)
            loaded.cacheKey = key
            if skippable, let index = cache.index(forKey: key), index.onlySources || isExtension {
                loaded.index = index
                if let fingerprint, case .file(let path) = location {
                    cache.sources.record(path, stamp: fingerprint.stamp, verifiedAt: fingerprint.verifiedAt, key: key, index: index)
                }
                return loaded
            }
        }
        loaded.parse(data, settings: settings)
        // A schema-source file's documents are not needed once its schemas are taken out.
        if isExtension, loaded.documentErrors.isEmpty { loaded.documents = [] }
        if let cache = settings.cache, let key = loaded.cacheKey, loaded.readError == nil, loaded.sourceErrors.isEmpty,
           loaded.documentErrors.isEmpty,
           loaded.index.contributes {
            do {
                try cache.store(key: key, index: loaded.index, entries: loaded.entries ?? [])
                // Stored: the run reads back only the kinds it uses, so a large CRD set is not held in memory.
                loaded.entries = nil
            } catch {
                loaded.cacheNotice = "cannot cache the schemas of \(location): \(error)"
            }
        }
        // Sources that supply nothing are remembered only in the source index, which is cheaper
        // than a file of their own (creating many small files is slow on some file systems).
        if recorded == nil, let cache = settings.cache, let key = loaded.cacheKey, let fingerprint, case .file(let path) = location,
           loaded.readError == nil, loaded.sourceErrors.isEmpty, loaded.documentErrors.isEmpty,
           loaded.cacheNotice == nil, loaded.entries == nil || !loaded.index.contributes {
            cache.sources.record(path, stamp: fingerprint.stamp, verifiedAt: fingerprint.verifiedAt, key: key, index: loaded.index)
        }
        return loaded
    }

    /// Parses a source whose cached index said it holds only schema sources, because a resource
    /// of the run may be one of its documents' kinds.
    mutating func reparse(settings: Settings) {
        do {
            let data = try location.readContents(standardInput: settings.standardInput)
            parse(data, settings: settings)
        } catch {
            readError = (error as? any XfnError) ?? ValidateError("cannot read \(location): \(error)")
        }
    }

    private mutating func parse(_ data: Data, settings: Settings) {
        let options = YAMLReader.Options(allowDuplicateKeys: settings.allowDuplicateKeys, recordPositions: !isExtension,
                                         rejectNonFiniteNumbers: true)
        var documents: [YAMLDocument]
        do { documents = try YAMLReader.read(data, file: location.description, options: options) } catch let error as YAMLError {
            // One broken document should not hide the others: read the stream document by document.
            documents = []
            for (firstLine, chunk) in Self.documentChunks(data) {
                let padded = Data(repeating: UInt8(ascii: "\n"), count: firstLine - 1) + chunk
                do {
                    for var document in try YAMLReader.read(padded, file: location.description, options: options) {
                        document.index = documents.count
                        documents.append(document)
                    }
                } catch let chunkError as YAMLError {
                    documentErrors[documents.count, default: []].append(chunkError)
                } catch {
                    readError = (error as? any XfnError) ?? ValidateError("cannot parse \(location): \(error)")
                    return
                }
            }
            if documentErrors.isEmpty { documentErrors[documents.count] = [error] }
        } catch {
            readError = (error as? any XfnError) ?? ValidateError("cannot parse \(location): \(error)")
            return
        }
        self.documents = documents
        wasParsed = true
        var index = SchemaCache.Index()
        var entries: [SchemaEntry] = []
        var onlySources = true
        for (position, document) in documents.enumerated() {
            let value = document.value
            if let gvk = GroupVersionKind(of: value) { index.documentKinds.append(gvk) }
            let role = DocumentRole(of: value)
            if !role.isSchemaSource { onlySources = false }
            do {
                switch role {
                case .customResourceDefinition:
                    entries += try SchemaEntry.entries(ofCRD: value, origin: location.description)
                case .compositeResourceDefinition:
                    entries += try SchemaEntry.entries(ofXRD: value, origin: location.description)
                case .package(let reference):
                    index.packages.append(reference)
                case .configurationPackage(let reference):
                    index.configurationPackages.append(reference)
                case .configurationMeta:
                    index.configurationMetas.append(value)
                case .composition, .resource:
                    break
                }
            } catch {
                sourceErrors[position] = (error as? any XfnError)?.message ?? "\(error)"
            }
        }
        index.kinds = entries.map(\.gvk)
        index.onlySources = onlySources && !documents.isEmpty && documentErrors.isEmpty
        self.index = index
        self.entries = entries
    }

    /// The stream cut at `---` separator lines, as Kubernetes' YAML reader cuts it, with the line
    /// each piece starts on (so positions stay true once the piece is padded with blank lines).
    static func documentChunks(_ data: Data) -> [(firstLine: Int, chunk: Data)] {
        var chunks: [(Int, Data)] = []
        var current = Data()
        var currentStart = 1
        var line = 1
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (number, rawLine) in lines.enumerated() {
            let isSeparator = rawLine.starts(with: "---".utf8)
                && rawLine.dropFirst(3).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            if isSeparator {
                if !current.isEmpty { chunks.append((currentStart, current)) }
                current = Data()
                currentStart = line + 1
            } else {
                current.append(contentsOf: rawLine)
                if number < lines.count - 1 { current.append(UInt8(ascii: "\n")) }
            }
            line += 1
        }
        if !current.isEmpty { chunks.append((currentStart, current)) }
        return chunks
    }
}
