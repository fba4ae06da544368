import Foundation
import XfnCore
import XfnSchema
import XfnYAML

/// Every schema a run knows, by kind; the last source to define a kind wins, as in crossplane.
/// Schemas stay uncompiled (and cached ones unread) until a resource needs them.
struct SchemaCatalog: Sendable {
    enum Location: Sendable {
        case entry(SchemaEntry)
        /// In the schema cache under this key; `file` is read again should the entry be damaged.
        case cached(key: String, origin: String, file: InputLocation?)
    }

    enum Compiled: Sendable {
        /// With where the schema came from, for an error checking may still meet in it.
        case success(CompiledSchema, origin: String)
        case failure(String)
    }

    private(set) var locations: [GroupVersionKind: Location] = [:]
    private(set) var cachedPackages = 0

    func contains(_ gvk: GroupVersionKind) -> Bool { locations[gvk] != nil }

    var kinds: [GroupVersionKind] { locations.keys.sorted() }

    /// A loaded file's schemas: parsed now, or in the cache under `cacheKey`.
    mutating func add(entries: [SchemaEntry]?, cacheKey: String?, kinds: [GroupVersionKind], location: InputLocation) {
        if let entries {
            for entry in entries { locations[entry.gvk] = .entry(entry) }
        } else if let cacheKey, !kinds.isEmpty {
            let origin = location.description
            for gvk in kinds { locations[gvk] = .cached(key: cacheKey, origin: origin, file: location) }
        }
    }

    mutating func add(_ entries: [SchemaEntry]) {
        for entry in entries { locations[entry.gvk] = .entry(entry) }
    }

    /// Takes `other`'s kinds that this catalog does not define; what is defined here wins.
    mutating func fill(from other: SchemaCatalog) {
        for (gvk, location) in other.locations where locations[gvk] == nil { locations[gvk] = location }
        cachedPackages += other.cachedPackages
    }

    /// A package's CRDs and converted XRDs; cached per package digest when the provider knows it.
    mutating func addPackage(_ reference: String, provider: any PackageSchemaProvider, cache: SchemaCache?,
                             notices: inout [String]) async throws {
        let digest = try await provider.digest(forPackage: reference)
        let key = digest.map(SchemaCache.key(forPackageDigest:))
        if let cache, let key, let index = cache.index(forKey: key) {
            for gvk in index.kinds { locations[gvk] = .cached(key: key, origin: reference, file: nil) }
            cachedPackages += 1
            return
        }
        let documents = try await provider.documents(forPackage: reference)
        var entries: [SchemaEntry] = []
        for document in documents {
            switch DocumentRole(of: document.value) {
            case .customResourceDefinition:
                entries += try SchemaEntry.entries(ofCRD: document.value, origin: reference)
            case .compositeResourceDefinition:
                entries += try SchemaEntry.entries(ofXRD: document.value, origin: reference)
            default:
                continue
            }
        }
        add(entries)
        if let cache, let key {
            var index = SchemaCache.Index()
            index.kinds = entries.map(\.gvk)
            index.onlySources = true
            do { try cache.store(key: key, index: index, entries: entries) } catch {
                notices.append("cannot cache the schemas of \(reference): \(error)")
            }
        }
    }

    /// Compiles the schemas of `kinds` in parallel; kinds without a schema are left out.
    func compile(_ kinds: Set<GroupVersionKind>, cache: SchemaCache?) async throws -> [GroupVersionKind: Compiled] {
        var entries: [SchemaEntry] = []
        var cachedKeys: [String: (origin: String, file: InputLocation?, kinds: Set<GroupVersionKind>)] = [:]
        for gvk in kinds {
            switch locations[gvk] {
            case .entry(let entry)?: entries.append(entry)
            case .cached(let key, let origin, let file)?: cachedKeys[key, default: (origin, file, [])].kinds.insert(gvk)
            case nil: continue
            }
        }
        // A schema whose cache line is recorded as compiling is compiled as checking reaches its
        // nodes; any other is compiled whole, so its errors show, and recorded when it compiles.
        let record = cache.flatMap { $0.ignoresStoredEntries ? nil : $0.compiled }
        @Sendable func compiled(_ entry: SchemaEntry) -> (GroupVersionKind, Compiled) {
            let subject = "\(entry.crdName) version \(entry.gvk.version)"
            do {
                if let checksum = entry.checksum, let record, record.contains(checksum) {
                    return (entry.gvk, .success(try CompiledSchema(compiledBefore: entry.schema, subject: subject), origin: entry.origin))
                }
                let schema = try CompiledSchema(openAPIV3Schema: entry.schema, subject: subject)
                if let checksum = entry.checksum, let cache { cache.compiled.add(checksum) }
                return (entry.gvk, .success(schema, origin: entry.origin))
            } catch {
                let message = (error as? any XfnError)?.message ?? "\(error)"
                return (entry.gvk, .failure("\(message) (from \(entry.origin))"))
            }
        }
        var results: [(GroupVersionKind, Compiled)] = []
        if let cache, !cachedKeys.isEmpty {
            // Each cached file is read and its schemas compiled by whichever thread takes it.
            let keys = Array(cachedKeys)
            let parts = await BlockingIO.concurrentMap(keys.count) { offset -> Result<[(GroupVersionKind, Compiled)], any Error> in
                let (key, wanted) = keys[offset]
                return Result {
                    let read: [SchemaEntry]
                    do {
                        read = try cache.entries(forKey: key, origin: wanted.origin, kinds: wanted.kinds)
                    } catch {
                        guard let file = wanted.file else { throw error }
                        read = try Self.reread(file, key: key, cache: cache, kinds: wanted.kinds, damage: error)
                    }
                    return read.map(compiled)
                }
            }
            for part in parts { results += try part.get() }
        }
        let given = entries
        results += await BlockingIO.concurrentMap(given.count) { compiled(given[$0]) }
        return Dictionary(results, uniquingKeysWith: { _, last in last })
    }

    /// A damaged cache entry is never trusted: its source is read again and the entry stored afresh.
    private static func reread(_ file: InputLocation, key: String, cache: SchemaCache, kinds: Set<GroupVersionKind>,
                               damage: any Error) throws -> [SchemaEntry] {
        var fresh = cache
        fresh.ignoresStoredEntries = true
        // Only a file that read cleanly was cached, so accepting repeated keys changes nothing here.
        let settings = LoadedSource.Settings(cache: fresh, allowDuplicateKeys: true, standardInput: { Data() }, skipsSchemaOnlyInputs: false)
        let loaded = LoadedSource.load(file, isExtension: true, settings: settings)
        guard loaded.readError == nil, loaded.documentErrors.isEmpty, loaded.sourceErrors.isEmpty else { throw damage }
        // Stored afresh under the key of what the file holds now, and read back as any cached entry.
        guard let entries = loaded.entries else {
            guard let key = loaded.cacheKey else { throw damage }
            return try cache.entries(forKey: key, origin: file.description, kinds: kinds)
        }
        return entries.filter { kinds.contains($0.gvk) }
    }
}
