import Foundation
import XfnArchive
import XfnCore
import XfnOCI
import XfnStore
import XfnYAML

/// Reads the package.yaml of a pulled package: from `packages/<manifest>/` when it was read before,
/// otherwise from the package's base layer, which it finds the way Crossplane does.
public struct PackageLoader: Sendable {
    public let store: ContentStore
    /// package.yaml of a large provider runs to tens of megabytes; anything far beyond is not a package.
    public static let maximumPackageYAMLBytes = 512 << 20

    public init(store: ContentStore) { self.store = store }

    public func contents(manifestDigest: Digest, manifest: Manifest, name: String) async throws -> PackageContents {
        if let cached = store.cachedPackageYAML(for: manifestDigest) {
            return try PackageContents(yaml: cached, source: "\(name) package.yaml")
        }
        guard let data = try await readPackageYAML(manifest: manifest, name: name) else {
            throw PackageError("\(name) is not a Crossplane package: no layer holds a package.yaml",
                               hint: "build packages with `crossplane xpkg build`; the package.yaml must be at the root of a layer", exitCode: .failure)
        }
        let contents = try PackageContents(yaml: data, source: "\(name) package.yaml")
        try await BlockingIO.run { [store] in try store.storePackageYAML(data, for: manifestDigest) }
        return contents
    }

    /// The base layer: the one annotated `io.crossplane.xpkg: base`, else the one the config labels
    /// `io.crossplane.xpkg:<digest>: base`, else the top-most layer with a package.yaml at its root.
    func readPackageYAML(manifest: Manifest, name: String) async throws -> Data? {
        if let annotated = manifest.layers.first(where: { $0.annotations?[Descriptor.xpkgAnnotation] == "base" }) {
            return try await read(from: annotated, name: name, how: "annotated io.crossplane.xpkg: base")
        }
        let config = try JSONDecoder().decode(ImageConfig.self, from: try store.data(of: manifest.config.digest))
        if let labelled = manifest.layers.first(where: { config.labels["\(Descriptor.xpkgAnnotation):\($0.digest)"] == "base" }) {
            return try await read(from: labelled, name: name, how: "labelled base in the image config")
        }
        for layer in manifest.layers.reversed() where MediaType.isLayer(layer.mediaType) {
            if let bytes = try await LayerContents.readFile("package.yaml", from: layerFile(layer), maxBytes: Self.maximumPackageYAMLBytes) {
                return Data(bytes)
            }
        }
        return nil
    }

    /// The objects an image offers as schemas: a package's package.yaml documents, or — for an image that
    /// is not a package, such as Crossplane's own — every `crds/*.yaml` file in its layers, as crossplane
    /// validate collects them.
    public func schemaDocuments(manifestDigest: Digest, manifest: Manifest, name: String) async throws -> [YAMLDocument] {
        if store.cachedPackageYAML(for: manifestDigest) != nil {
            return try await contents(manifestDigest: manifestDigest, manifest: manifest, name: name).allDocuments
        }
        if let data = try await readPackageYAML(manifest: manifest, name: name) {
            let contents = try PackageContents(yaml: data, source: "\(name) package.yaml")
            try await BlockingIO.run { [store] in try store.storePackageYAML(data, for: manifestDigest) }
            return contents.allDocuments
        }
        var files: [String: Data] = [:]
        for layer in manifest.layers where MediaType.isLayer(layer.mediaType) {
            let found = try await LayerContents.readFiles(from: layerFile(layer), maxBytes: 200 << 20) { path in
                (path.hasPrefix("crds/") || path.contains("/crds/")) && (path.hasSuffix(".yaml") || path.hasSuffix(".yml"))
            }
            for file in found { files[file.path] = Data(file.contents) }
        }
        guard !files.isEmpty else {
            throw PackageError("\(name) holds neither a package.yaml nor crds/*.yaml files, so it offers no schemas", exitCode: .failure)
        }
        var documents: [YAMLDocument] = []
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            documents += try YAMLReader.read(data, file: "\(name):/\(path)", options: YAMLReader.Options(allowDuplicateKeys: true))
        }
        return documents
    }

    private func read(from layer: Descriptor, name: String, how: String) async throws -> Data {
        guard let bytes = try await LayerContents.readFile("package.yaml", from: layerFile(layer), maxBytes: Self.maximumPackageYAMLBytes) else {
            throw PackageError("\(name): layer \(layer.digest.short) is \(how) but holds no package.yaml at its root", exitCode: .failure)
        }
        return Data(bytes)
    }

    private func layerFile(_ layer: Descriptor) -> LayerFile {
        LayerFile(path: store.blobPath(layer.digest), name: "layer \(layer.digest.short)")
    }
}
