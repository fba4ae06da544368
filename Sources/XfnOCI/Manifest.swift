import Foundation
import XfnCore

/// An image manifest (OCI or Docker schema 2; they share this shape).
public struct Manifest: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String?, config: Descriptor, layers: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.config = config
        self.layers = layers
        self.annotations = annotations
    }
}

/// An image index (OCI) or manifest list (Docker): one manifest per platform.
public struct ImageIndex: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor], annotations: [String: String]? = nil) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
        self.annotations = annotations
    }
}

/// The part of an image configuration xfn reads: platform, the process to run, labels and layer diff IDs.
public struct ImageConfig: Codable, Sendable, Hashable {
    public struct Process: Codable, Sendable, Hashable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var Labels: [String: String]?
        public var ExposedPorts: [String: EmptyObject]?
    }

    public struct RootFS: Codable, Sendable, Hashable {
        public var type: String
        public var diff_ids: [Digest]
    }

    public struct EmptyObject: Codable, Sendable, Hashable {}

    public var architecture: String?
    public var os: String?
    public var variant: String?
    public var config: Process?
    public var rootfs: RootFS?

    public var labels: [String: String] { config?.Labels ?? [:] }
}

/// What a manifest request returned, before it is known whether it is an index or an image.
public enum ManifestDocument: Sendable {
    case index(ImageIndex)
    case image(Manifest)

    public struct DecodeError: XfnError {
        public let reason: String
        public var message: String { "cannot read manifest: \(reason)" }
        public var hint: String? { nil }
        public var exitCode: ExitStatus { .registry }
    }

    /// Decodes by the media type the registry declared, falling back to the document's own
    /// `mediaType` field, and refuses schema 1 by name.
    public static func decode(_ data: Data, declaredMediaType: String?) throws -> ManifestDocument {
        let probe = (try? JSONDecoder().decode(MediaTypeProbe.self, from: data)) ?? MediaTypeProbe()
        let declared = declaredMediaType.flatMap { $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) }
        var type = probe.mediaType ?? declared ?? ""
        if type.isEmpty || type == "application/json" || type == "application/octet-stream" {
            type = probe.manifests != nil ? MediaType.ociIndex : MediaType.ociManifest
        }
        if type == MediaType.dockerSchema1 || type == MediaType.dockerSchema1Signed || probe.schemaVersion == 1 {
            throw DecodeError(reason: "Docker schema 1 manifests are not supported; push the image again with a current client")
        }
        do {
            if MediaType.isIndex(type) { return .index(try JSONDecoder().decode(ImageIndex.self, from: data)) }
            if MediaType.isManifest(type) { return .image(try JSONDecoder().decode(Manifest.self, from: data)) }
        } catch let error as DecodingError {
            throw DecodeError(reason: "malformed \(type): \(error.shortDescription)")
        }
        throw DecodeError(reason: "unsupported media type '\(type)'")
    }

    private struct MediaTypeProbe: Decodable {
        var mediaType: String?
        var schemaVersion: Int?
        var manifests: [IgnoredElement]?
        struct IgnoredElement: Decodable {}
    }
}

extension DecodingError {
    /// The coding path and the problem, without Swift's debug noise.
    public var shortDescription: String {
        func path(_ context: Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "document" : String(text.drop(while: { $0 == "." }))
        }
        switch self {
        case .keyNotFound(let key, let context): return "\(path(context)): missing field '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let underlying = (context.underlyingError as? any CustomStringConvertible)?.description
            return "\(path(context)): \(underlying ?? context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}
