import Foundation
import XfnCore

/// Media types the builder writes.
public enum OCIMediaType {
    public static let manifest = "application/vnd.oci.image.manifest.v1+json"
    public static let index = "application/vnd.oci.image.index.v1+json"
    public static let config = "application/vnd.oci.image.config.v1+json"
    public static let gzipLayer = "application/vnd.oci.image.layer.v1.tar+gzip"
}

/// What one layer of a test image holds.
public enum TestLayer: Sendable {
    /// One file `random-N.bin` of `size` random bytes (incompressible, so the blob is about as big).
    case random(size: Int)
    case files([TarFile])
    /// A Crossplane package base layer: `package.yaml` with this text, marked as Crossplane marks it
    /// (by default both the descriptor annotation `io.crossplane.xpkg: base` and the config label).
    case xpkg(packageYAML: String, marking: XpkgMarking = .annotationAndLabel)
}

/// How a package's base layer is marked; older and hand-built packages carry only some of the marks.
public enum XpkgMarking: Sendable {
    case annotationAndLabel, annotationOnly, labelOnly, unmarked

    var annotates: Bool { self == .annotationAndLabel || self == .annotationOnly }
    var labels: Bool { self == .annotationAndLabel || self == .labelOnly }
}

/// The recipe for one image manifest.
public struct TestImage: Sendable {
    public var layers: [TestLayer]
    public var architecture: String
    public var os: String
    public var labels: [String: String]
    public var manifestAnnotations: [String: String]

    public init(layers: [TestLayer], architecture: String = "amd64", os: String = "linux",
                labels: [String: String] = [:], manifestAnnotations: [String: String] = [:]) {
        self.layers = layers
        self.architecture = architecture
        self.os = os
        self.labels = labels
        self.manifestAnnotations = manifestAnnotations
    }
}

public struct BuiltLayer: Sendable {
    /// Digest of the gzip blob.
    public let digest: Digest
    /// Digest of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    public let diffID: Digest
    public let size: Int
    public let annotations: [String: String]
}

public struct BuiltImage: Sendable {
    public let manifestDigest: Digest
    public let manifestSize: Int
    public let manifestJSON: String
    public let configDigest: Digest
    public let configJSON: String
    public let layers: [BuiltLayer]
    public let architecture: String
    public let os: String
}

public struct BuiltIndex: Sendable {
    public let indexDigest: Digest
    public let indexSize: Int
    public let indexJSON: String
    public let manifests: [BuiltImage]
}

/// Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) holding test images and
/// multi-platform indexes, tagged with `org.opencontainers.image.ref.name` for `skopeo copy oci:DIR:TAG`.
public final class OCIImageBuilder {
    public let layoutPath: String
    private var tagged: [Value] = []

    public init(layoutPath: String) throws {
        self.layoutPath = layoutPath
        try FileManager.default.createDirectory(atPath: "\(layoutPath)/blobs/sha256", withIntermediateDirectories: true)
        try #"{"imageLayoutVersion":"1.0.0"}"#.write(toFile: "\(layoutPath)/oci-layout", atomically: true, encoding: .utf8)
        try writeIndexFile()
    }

    public func blobPath(_ digest: Digest) -> String { "\(layoutPath)/blobs/\(digest.algorithm)/\(digest.hex)" }

    /// Stores `data` as a blob and returns its digest and size.
    @discardableResult
    public func writeBlob(_ data: Data) throws -> (digest: Digest, size: Int) {
        let digest = SHA256Hasher.digest(data)
        try data.write(to: URL(fileURLWithPath: blobPath(digest)))
        return (digest, data.count)
    }

    /// Writes the image's blobs and, when `tag` is given, lists its manifest in index.json.
    @discardableResult
    public func addImage(_ image: TestImage, tag: String?) throws -> BuiltImage {
        let built = try writeImage(image)
        if let tag {
            try self.tag(descriptor(mediaType: OCIMediaType.manifest, digest: built.manifestDigest, size: built.manifestSize,
                               platform: nil), as: tag)
        }
        return built
    }

    /// Writes one manifest per image and an image index over them (with each one's platform), tagged `tag`.
    @discardableResult
    public func addIndex(_ images: [TestImage], tag: String) throws -> BuiltIndex {
        let manifests = try images.map { try writeImage($0) }
        let index: Value = [
            "schemaVersion": 2,
            "mediaType": .string(OCIMediaType.index),
            "manifests": .array(manifests.map {
                descriptor(mediaType: OCIMediaType.manifest, digest: $0.manifestDigest, size: $0.manifestSize,
                           platform: ($0.architecture, $0.os))
            }),
        ]
        let json = ValueJSON.serialize(index)
        let (digest, size) = try writeBlob(Data(json.utf8))
        try self.tag(descriptor(mediaType: OCIMediaType.index, digest: digest, size: size, platform: nil), as: tag)
        return BuiltIndex(indexDigest: digest, indexSize: size, indexJSON: json, manifests: manifests)
    }

    /// Two images, linux/amd64 and linux/arm64, that differ in their layers, under one index.
    @discardableResult
    public func addTwoPlatformIndex(tag: String, layerSize: Int = 1024, packageYAML: String? = nil) throws -> BuiltIndex {
        let images = ["amd64", "arm64"].map { architecture in
            var layers: [TestLayer] = packageYAML.map { [.xpkg(packageYAML: $0)] } ?? []
            layers.append(.random(size: layerSize))
            return TestImage(layers: layers, architecture: architecture)
        }
        return try addIndex(images, tag: tag)
    }

    // MARK: writing

    private func writeImage(_ image: TestImage) throws -> BuiltImage {
        var layers: [BuiltLayer] = []
        var labels = image.labels
        for (position, layer) in image.layers.enumerated() {
            let files: [TarFile]
            var annotations: [String: String] = [:]
            switch layer {
            case .random(let size):
                files = [TarFile(path: "random-\(position).bin", randomBytes: size)]
            case .files(let given):
                files = given
            case .xpkg(let yaml, let marking):
                files = [TarFile(path: "package.yaml", contents: Data(yaml.utf8))]
                if marking.annotates { annotations["io.crossplane.xpkg"] = "base" }
            }
            let built = try writeLayer(files, annotations: annotations)
            if case .xpkg(_, let marking) = layer, marking.labels { labels["io.crossplane.xpkg:\(built.digest)"] = "base" }
            layers.append(built)
        }

        var configObject = ValueObject([
            ("architecture", .string(image.architecture)),
            ("os", .string(image.os)),
        ])
        if !labels.isEmpty {
            configObject["config"] = ["Labels": .object(Self.sortedObject(labels))]
        } else {
            configObject["config"] = .object(ValueObject())
        }
        configObject["rootfs"] = ["type": "layers", "diff_ids": .array(layers.map { .string($0.diffID.description) })]
        configObject["history"] = .array(layers.indices.map { ["created_by": .string("xfn test layer \($0)")] })
        let configJSON = ValueJSON.serialize(.object(configObject))
        let (configDigest, configSize) = try writeBlob(Data(configJSON.utf8))

        var manifest = ValueObject([
            ("schemaVersion", 2),
            ("mediaType", .string(OCIMediaType.manifest)),
            ("config", descriptor(mediaType: OCIMediaType.config, digest: configDigest, size: configSize, platform: nil)),
            ("layers", .array(layers.map { layer in
                var object = descriptor(mediaType: OCIMediaType.gzipLayer, digest: layer.digest, size: layer.size,
                                        platform: nil).objectValue!
                if !layer.annotations.isEmpty { object["annotations"] = .object(Self.sortedObject(layer.annotations)) }
                return .object(object)
            })),
        ])
        if !image.manifestAnnotations.isEmpty {
            manifest["annotations"] = .object(Self.sortedObject(image.manifestAnnotations))
        }
        let manifestJSON = ValueJSON.serialize(.object(manifest))
        let (manifestDigest, manifestSize) = try writeBlob(Data(manifestJSON.utf8))
        return BuiltImage(
            manifestDigest: manifestDigest, manifestSize: manifestSize, manifestJSON: manifestJSON,
            configDigest: configDigest, configJSON: configJSON, layers: layers,
            architecture: image.architecture, os: image.os)
    }

    private func writeLayer(_ files: [TarFile], annotations: [String: String]) throws -> BuiltLayer {
        let scratch = try TemporaryDirectory(prefix: "xfn-layer")
        defer { scratch.remove() }
        let tarPath = scratch.appending("layer.tar")
        let gzipPath = scratch.appending("layer.tar.gz")
        try TarWriter.writeTar(files, to: tarPath)
        let diffID = try SHA256Hasher.digest(fileAt: tarPath).digest
        try TarWriter.gzip(tarPath, to: gzipPath)
        let (digest, size) = try SHA256Hasher.digest(fileAt: gzipPath)
        let destination = blobPath(digest)
        if !FileManager.default.fileExists(atPath: destination) {
            try FileManager.default.moveItem(atPath: gzipPath, toPath: destination)
        }
        return BuiltLayer(digest: digest, diffID: diffID, size: Int(size), annotations: annotations)
    }

    private func descriptor(mediaType: String, digest: Digest, size: Int, platform: (String, String)?) -> Value {
        var object = ValueObject([
            ("mediaType", .string(mediaType)),
            ("digest", .string(digest.description)),
            ("size", .int(Int64(size))),
        ])
        if let (architecture, os) = platform {
            object["platform"] = ["architecture": .string(architecture), "os": .string(os)]
        }
        return .object(object)
    }

    private func tag(_ descriptor: Value, as tag: String) throws {
        guard var object = descriptor.objectValue else { return }
        object["annotations"] = ["org.opencontainers.image.ref.name": .string(tag)]
        tagged.removeAll { $0.value(at: ["annotations", "org.opencontainers.image.ref.name"])?.stringValue == tag }
        tagged.append(.object(object))
        try writeIndexFile()
    }

    private func writeIndexFile() throws {
        let index: Value = ["schemaVersion": 2, "mediaType": .string(OCIMediaType.index), "manifests": .array(tagged)]
        try ValueJSON.serialize(index).write(toFile: "\(layoutPath)/index.json", atomically: true, encoding: .utf8)
    }

    private static func sortedObject(_ dictionary: [String: String]) -> ValueObject {
        ValueObject(dictionary.sorted { $0.key < $1.key }.map { ($0.key, Value.string($0.value)) })
    }
}
