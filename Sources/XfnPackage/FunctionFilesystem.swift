import Foundation
import XfnArchive
import XfnCore
import XfnOCI
import XfnStore

/// A function image unpacked into `rootfs/<manifest>/`, and how its image says to run it.
public struct FunctionFilesystem: Sendable, Codable {
    public var rootfs: String
    public var entrypoint: [String]
    public var command: [String]
    public var environment: [String]
    public var workingDirectory: String?
    public var user: String?

    /// Unpacks the image's layers (unless already unpacked) and records the process settings beside them.
    public static func unpack(manifestDigest: Digest, manifest: Manifest, store: ContentStore,
                              progress: ProgressHandler? = nil) async throws -> FunctionFilesystem {
        let config = try JSONDecoder().decode(ImageConfig.self, from: try store.data(of: manifest.config.digest))
        let layers = manifest.layers.filter { MediaType.isLayer($0.mediaType) }.map {
            LayerFile(path: store.blobPath($0.digest), name: "layer \($0.digest.short)")
        }
        let rootfs = store.rootfsDirectory(for: manifestDigest)
        _ = try await LayerUnpacker.unpack(layers, into: rootfs, progress: progress)
        let process = config.config
        let filesystem = FunctionFilesystem(
            rootfs: rootfs, entrypoint: process?.Entrypoint ?? [], command: process?.Cmd ?? [],
            environment: process?.Env ?? [], workingDirectory: process?.WorkingDir, user: process?.User)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let record = try encoder.encode(filesystem)
        try await BlockingIO.run { try store.writeAtomically(record, to: store.rootfsConfigPath(for: manifestDigest)) }
        return filesystem
    }
}
