import Foundation
import XfnCore
import XfnOCI

extension ContentStore {
    func recordPath(for reference: String) -> String {
        "\(root)/refs/\(SHA256Hasher.digest(reference).hex).json"
    }

    /// Remembers what a reference resolved to and names its image manifest in `index.json`, so
    /// `skopeo inspect oci:CACHE:REFERENCE` and umoci find it.
    /// `refreshTime: false` (a digest reference, or an offline lookup) leaves an identical record as it is,
    /// so a warm pull writes nothing.
    public func record(_ record: ReferenceRecord, refreshTime: Bool = true) async throws {
        if !refreshTime, let existing = try self.record(for: record.reference), existing.digest == record.digest,
            existing.manifest == record.manifest, existing.platform == record.platform
        {
            return
        }
        let lock = try await FileLock.acquire("\(root)/locks/index.lock")
        defer { withExtendedLifetime(lock) {} }
        try FileSystem.writeAtomically(try Self.encoder.encode(record), to: recordPath(for: record.reference))
        var index = try readIndex()
        let unchanged = index.manifests.contains {
            $0.annotations?[Descriptor.refNameAnnotation] == record.reference && $0.digest == record.manifest
        }
        if unchanged { return }
        index.manifests.removeAll { $0.annotations?[Descriptor.refNameAnnotation] == record.reference }
        index.manifests.append(Descriptor(
            mediaType: try manifestMediaType(record.manifest), digest: record.manifest, size: record.manifestSize,
            annotations: [Descriptor.refNameAnnotation: record.reference]))
        index.manifests.sort { ($0.annotations?[Descriptor.refNameAnnotation] ?? "") < ($1.annotations?[Descriptor.refNameAnnotation] ?? "") }
        try FileSystem.writeAtomically(try Self.encoder.encode(index), to: indexPath)
    }

    /// nil when the reference was never recorded; a record that cannot be read is an error, not a miss.
    public func record(for reference: String) throws -> ReferenceRecord? {
        let path = recordPath(for: reference)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try Self.decoder.decode(ReferenceRecord.self, from: data) } catch {
            throw StoreError(.corrupt, "reference record \(path) for \(reference) cannot be read: \(error)")
        }
    }

    /// Every recorded reference, by name.
    public func records() throws -> [ReferenceRecord] {
        let directory = root + "/refs"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        var records: [ReferenceRecord] = []
        for name in names where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { continue }
            do { records.append(try Self.decoder.decode(ReferenceRecord.self, from: data)) } catch {
                throw StoreError(.corrupt, "reference record \(directory)/\(name) cannot be read: \(error)")
            }
        }
        return records.sorted { $0.reference < $1.reference }
    }

    public func readIndex() throws -> ImageIndex {
        guard let data = FileManager.default.contents(atPath: indexPath) else { return ImageIndex(manifests: []) }
        do { return try Self.decoder.decode(ImageIndex.self, from: data) } catch {
            throw StoreError(.corrupt, "\(indexPath) cannot be read: \(error)")
        }
    }

    private func manifestMediaType(_ digest: Digest) throws -> String {
        let data = try self.data(of: digest)
        if case .image(let manifest) = try ManifestDocument.decode(data, declaredMediaType: nil) {
            return manifest.mediaType ?? MediaType.ociManifest
        }
        return MediaType.ociIndex
    }
}
