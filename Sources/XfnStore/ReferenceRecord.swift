import Foundation
import XfnCore
import XfnOCI

/// What a reference resolved to, and when: lets `--offline` answer tags from the cache, and `cache list`
/// say what is held.
public struct ReferenceRecord: Codable, Sendable, Hashable {
    /// As the user wrote it, normalised (`registry/repository:tag` or `…@sha256:…`).
    public var reference: String
    /// What the registry resolved the reference to: an index or an image manifest.
    public var digest: Digest
    public var mediaType: String
    /// The image manifest for `platform` (the same as `digest` when the reference names an image).
    public var manifest: Digest
    public var manifestSize: Int64
    public var platform: String
    public var resolvedAt: Date

    public init(reference: String, digest: Digest, mediaType: String, manifest: Digest, manifestSize: Int64, platform: String, resolvedAt: Date) {
        self.reference = reference
        self.digest = digest
        self.mediaType = mediaType
        self.manifest = manifest
        self.manifestSize = manifestSize
        self.platform = platform
        self.resolvedAt = resolvedAt
    }
}
