import Foundation
import XfnCore
import XfnOCI

/// xfn's cache: an OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) that skopeo and umoci
/// can read, plus `ingest/` for downloads in progress, `refs/` for resolved tags and `locks/` for the
/// `flock`s that let several xfn processes share it. Blobs are committed only after size and digest
/// match, with fsync before and after the rename, and are read-only once there.
public final class ContentStore: Sendable {
    public let root: String

    public init(root: String) throws {
        self.root = root
        for directory in ["blobs/sha256", "ingest", "refs", "locks", "packages", "rootfs"] {
            try FileSystem.makeDirectories(root + "/" + directory)
        }
        let layoutFile = root + "/oci-layout"
        if !FileManager.default.fileExists(atPath: layoutFile) {
            try FileSystem.writeAtomically(Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: layoutFile)
        }
        if !FileManager.default.fileExists(atPath: indexPath) {
            try FileSystem.writeAtomically(try Self.encoder.encode(ImageIndex(manifests: [])), to: indexPath)
        }
    }

    var indexPath: String { root + "/index.json" }

    public func blobPath(_ digest: Digest) -> String { "\(root)/blobs/\(digest.algorithm)/\(digest.hex)" }

    /// Present with the declared size; content is checked on read (small blobs) or by `cache verify`.
    public func hasBlob(_ descriptor: Descriptor) -> Bool {
        FileSystem.fileSize(blobPath(descriptor.digest)) == descriptor.size
    }

    public func hasBlob(_ digest: Digest) -> Bool { blobSize(digest) != nil }

    /// The size of a cached blob, or nil when it is not cached.
    public func blobSize(_ digest: Digest) -> Int64? { FileSystem.fileSize(blobPath(digest)) }

    /// Reads a small blob (manifest, index, config) and checks its digest, so a damaged cache is noticed
    /// instead of trusted.
    public func data(of digest: Digest) throws -> Data {
        let path = blobPath(digest)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.missing, "\(digest) is not in the cache at \(root)")
        }
        let actual = SHA256Hasher.digest(data)
        guard actual == digest else { throw StoreError(.corrupt, "cached blob \(path) is damaged: its content hashes to \(actual)") }
        return data
    }

    /// Stores bytes already in memory (manifests, configs) after checking them against `descriptor`.
    @discardableResult
    public func put(_ data: Data, as descriptor: Descriptor) throws -> String {
        let path = blobPath(descriptor.digest)
        if hasBlob(descriptor) { return path }
        guard Int64(data.count) == descriptor.size else {
            throw StoreError(.sizeMismatch, "\(descriptor.digest) has \(data.count) bytes; its descriptor declares \(descriptor.size)")
        }
        let actual = SHA256Hasher.digest(data)
        guard actual == descriptor.digest else {
            throw StoreError(.digestMismatch, "content does not match its digest: expected \(descriptor.digest), got \(actual)")
        }
        try FileSystem.writeAtomically(data, to: path, mode: 0o444)
        return path
    }

    /// Serialises work on one blob across processes: the second puller waits, then finds it committed.
    public func lock(_ digest: Digest) async throws -> FileLock {
        try await FileLock.acquire("\(root)/locks/blob-\(digest.hex).lock")
    }

    /// Opens (or resumes) the ingest file for a blob. Hold the blob's lock while using it.
    public func ingest(_ descriptor: Descriptor, progress: ProgressHandler? = nil) throws -> IngestWriter {
        try IngestWriter(descriptor: descriptor, directory: "\(root)/ingest/\(descriptor.digest.hex)", progress: progress)
    }

    /// Verifies and moves a finished download into `blobs/`.
    public func commit(_ writer: IngestWriter) throws {
        let source = try writer.finish()
        let destination = blobPath(writer.descriptor.digest)
        try FileSystem.rename(source, destination)
        try FileSystem.syncDirectory((destination as NSString).deletingLastPathComponent)
        rmdir(writer.directory)
    }

    /// Abandons a download whose bytes cannot be trusted.
    public func discard(_ writer: IngestWriter) { writer.discard() }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
