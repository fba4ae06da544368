import XfnCore

/// A pointer to content: its media type, digest and exact size.
public struct Descriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?
    public var urls: [String]?

    public init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil, platform: Platform? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
        self.platform = platform
    }

    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// Crossplane marks the layer holding `package.yaml` with this annotation, value `base`.
    public static let xpkgAnnotation = "io.crossplane.xpkg"
}
