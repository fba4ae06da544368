import Foundation
import XfnCore
import XfnOCI
import XfnRegistry
import XfnStore

/// Pulls images into the content store: resolve the reference, fetch the manifest (choosing the
/// platform from an index), fetch config and layers in parallel — largest first, a few at a time — verify
/// each while it streams, commit, and record the reference. Whatever is already cached is not fetched,
/// and a cached digest reference makes no request at all.
public struct Puller: Sendable {
    public struct Options: Sendable {
        public var platform: Platform
        public var offline: Bool
        /// Blob downloads at once per pull; registries throttle beyond a handful.
        public var concurrency: Int

        public init(platform: Platform = .current, offline: Bool = false, concurrency: Int = 4) {
            self.platform = platform
            self.offline = offline
            self.concurrency = concurrency
        }
    }

    public struct Result: Sendable {
        public let reference: Reference
        /// What the reference resolved to (an index or an image manifest): what to pin.
        public let digest: Digest
        /// The image manifest for the chosen platform.
        public let manifest: Manifest
        public let manifestDigest: Digest
        public let downloadedBlobs: Int
        public let cachedBlobs: Int
    }

    public let registry: RegistryClient
    public let store: ContentStore
    public let progress: ProgressHandler?

    public init(registry: RegistryClient, store: ContentStore, progress: ProgressHandler? = nil) {
        self.registry = registry
        self.store = store
        self.progress = progress
    }

    public func pull(_ reference: Reference, options: Options = Options()) async throws -> Result {
        let top = try await resolveTop(reference, options: options)
        let topData = try store.data(of: top.digest)
        let manifestDescriptor: Descriptor
        switch try ManifestDocument.decode(topData, declaredMediaType: top.mediaType) {
        case .image:
            manifestDescriptor = top
        case .index(let index):
            manifestDescriptor = try index.manifest(for: options.platform)
            if !store.hasBlob(manifestDescriptor) {
                guard !options.offline else { throw PackageError.offlineMiss("the \(options.platform) manifest of \(reference)") }
                let fetched = try await registry.fetchManifest(reference, digest: manifestDescriptor.digest)
                try store.put(fetched.data, as: Descriptor(mediaType: fetched.descriptor.mediaType, digest: manifestDescriptor.digest, size: Int64(fetched.data.count)))
            }
        }
        guard case .image(let manifest) = try ManifestDocument.decode(try store.data(of: manifestDescriptor.digest), declaredMediaType: manifestDescriptor.mediaType) else {
            throw PackageError("\(reference): the index entry for \(options.platform) is itself an index; nested indexes are not supported")
        }

        let blobs = ([manifest.config] + manifest.layers).sorted { $0.size > $1.size }
        let (downloaded, cached) = try await fetchBlobs(blobs, of: reference, offline: options.offline)

        let manifestSize = store.blobSize(manifestDescriptor.digest) ?? manifestDescriptor.size
        try await store.record(ReferenceRecord(
            reference: reference.description, digest: top.digest, mediaType: top.mediaType,
            manifest: manifestDescriptor.digest, manifestSize: manifestSize,
            platform: options.platform.description, resolvedAt: Date()),
            refreshTime: reference.digest == nil && !options.offline)
        return Result(reference: reference, digest: top.digest, manifest: manifest, manifestDigest: manifestDescriptor.digest,
                      downloadedBlobs: downloaded, cachedBlobs: cached)
    }

    /// The descriptor of what the reference names, with its manifest or index in the store.
    private func resolveTop(_ reference: Reference, options: Options) async throws -> Descriptor {
        if let digest = reference.digest {
            if let size = store.blobSize(digest) {
                return Descriptor(mediaType: "", digest: digest, size: size)
            }
            guard !options.offline else { throw PackageError.offlineMiss(reference.description) }
            return try await fetchAndStoreManifest(reference, digest: digest)
        }
        if options.offline {
            guard let record = try store.record(for: reference.description) else { throw PackageError.offlineMiss(reference.description) }
            guard store.hasBlob(record.digest) else { throw PackageError.offlineMiss("the manifest of \(reference)") }
            return Descriptor(mediaType: record.mediaType, digest: record.digest, size: store.blobSize(record.digest) ?? 0)
        }
        let resolved = try await registry.resolve(reference)
        if store.hasBlob(resolved.digest) { return resolved }
        return try await fetchAndStoreManifest(reference, digest: resolved.digest)
    }

    private func fetchAndStoreManifest(_ reference: Reference, digest: Digest) async throws -> Descriptor {
        let fetched = try await registry.fetchManifest(reference, digest: digest)
        try store.put(fetched.data, as: fetched.descriptor)
        return fetched.descriptor
    }

    /// Fetches what is missing, `concurrency` at a time, and counts (downloaded, already cached).
    private func fetchBlobs(_ blobs: [Descriptor], of reference: Reference, offline: Bool) async throws -> (Int, Int) {
        var missing: [Descriptor] = []
        var cached = 0
        for blob in blobs {
            if store.hasBlob(blob) {
                cached += 1
                progress?(.started(id: blob.digest.description, label: Self.label(blob), totalBytes: blob.size))
                progress?(.finished(id: blob.digest.description, cached: true))
            } else {
                missing.append(blob)
            }
        }
        // Announce every download before the first starts, so totals are right from the first redraw.
        for blob in missing {
            progress?(.started(id: blob.digest.description, label: Self.label(blob), totalBytes: blob.size))
        }
        if !missing.isEmpty, offline { throw PackageError.offlineMiss("\(missing.count) blob(s) of \(reference)") }
        var downloaded = 0
        try await withThrowingTaskGroup(of: Bool.self) { group in
            var queue = missing[...]
            func startNext() {
                guard let blob = queue.popFirst() else { return }
                group.addTask { try await fetchBlob(blob, of: reference) }
            }
            for _ in 0..<4 { startNext() }
            while let didDownload = try await group.next() {
                if didDownload { downloaded += 1 } else { cached += 1 }
                startNext()
            }
        }
        return (downloaded, cached)
    }

    /// Downloads one blob under its lock; false when another process committed it while we waited.
    private func fetchBlob(_ blob: Descriptor, of reference: Reference) async throws -> Bool {
        let id = blob.digest.description
        let lock = try await store.lock(blob.digest)
        defer { withExtendedLifetime(lock) {} }
        if store.hasBlob(blob) {
            progress?(.finished(id: id, cached: true))
            return false
        }
        var writer = try await BlockingIO.run { [store, progress] in try store.ingest(blob, progress: progress) }
        let resumed = writer.bytesWritten > 0
        do {
            try await download(blob, of: reference, into: writer)
        } catch let error as StoreError where error.kind == .digestMismatch && resumed {
            // Bytes kept from an earlier, interrupted pull may themselves have been bad: start over once.
            progress?(.note("\(blob.digest.short): resumed download did not verify; downloading it again"))
            writer = try await BlockingIO.run { [store, progress] in try store.ingest(blob, progress: progress) }
            try await download(blob, of: reference, into: writer)
        }
        progress?(.finished(id: id, cached: false))
        return true
    }

    private func download(_ blob: Descriptor, of reference: Reference, into writer: IngestWriter) async throws {
        do {
            try await registry.fetchBlob(reference, descriptor: blob, into: writer)
        } catch let error as StoreError where error.kind == .sizeExceeded {
            store.discard(writer)
            throw error
        }
        try await BlockingIO.run { [store] in try store.commit(writer) }
    }

    static func label(_ blob: Descriptor) -> String {
        let kind = MediaType.isLayer(blob.mediaType) ? "layer" : (blob.mediaType.contains("config") ? "config" : "blob")
        return "\(kind) \(blob.digest.short)"
    }
}
