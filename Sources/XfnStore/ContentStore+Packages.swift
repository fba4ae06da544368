import Foundation
import XfnCore

extension ContentStore {
    /// `packages/<manifest-hex>/`: what xfn extracted from a package once, so later runs never open its layers.
    public func packageDirectory(for manifest: Digest) -> String { "\(root)/packages/\(manifest.hex)" }

    /// The package.yaml extracted earlier for this manifest, if any.
    public func cachedPackageYAML(for manifest: Digest) -> Data? {
        FileManager.default.contents(atPath: packageDirectory(for: manifest) + "/package.yaml")
    }

    /// Keeps a package's package.yaml beside its other extracted data, written atomically.
    public func storePackageYAML(_ data: Data, for manifest: Digest) throws {
        let directory = packageDirectory(for: manifest)
        try FileSystem.makeDirectories(directory)
        try FileSystem.writeAtomically(data, to: directory + "/package.yaml")
    }

    /// `rootfs/<manifest-hex>`: a function image unpacked for the process runtime.
    public func rootfsDirectory(for manifest: Digest) -> String { "\(root)/rootfs/\(manifest.hex)" }

    /// `rootfs/<manifest-hex>.json`: how to run what is in the rootfs (entrypoint, env, user, …).
    public func rootfsConfigPath(for manifest: Digest) -> String { "\(root)/rootfs/\(manifest.hex).json" }

    public func writeAtomically(_ data: Data, to path: String) throws {
        try FileSystem.writeAtomically(data, to: path)
    }
}
