import Foundation
import XfnCore

/// A runnable function image in an OCI layout: one layer holding an executable at `/function` (plus,
/// for a dynamically linked one, the libraries it loads), and a config whose entrypoint is that file.
/// The shape of a distroless function image, small enough to build in a test.
public enum FunctionImageLayout {
    /// Writes the image to `layoutPath`, tagged `tag`; returns the manifest digest. `otherFiles` go
    /// into the same layer. With `packageYAML` the image is also a Function package: the metadata goes
    /// into a second layer marked as the xpkg base layer, as `crossplane xpkg build` puts it.
    @discardableResult
    public static func write(executable: String, to layoutPath: String, tag: String,
                             environment: [String] = [], otherFiles: [TarFile] = [], packageYAML: String? = nil) throws -> Digest {
        guard let contents = FileManager.default.contents(atPath: executable) else {
            throw TestSupportError("cannot read the function executable \(executable)",
                                   hint: "build it first (scripts/build-test-function OUTPUT)")
        }
        let builder = try OCIImageBuilder(layoutPath: layoutPath)
        var layers: [TestLayer] = [.files([TarFile(path: "function", contents: contents, mode: 0o755)] + otherFiles)]
        if let packageYAML { layers.append(.xpkg(packageYAML: packageYAML)) }
        let built = try builder.addImage(TestImage(layers: layers), tag: nil)
        // The builder writes no process settings; the entrypoint and environment go into its config.
        guard case .object(var config) = try ValueJSON.parse(built.configJSON) else {
            throw TestSupportError("the image builder wrote a config that is not a JSON object")
        }
        config["config"] = ["Entrypoint": ["/function"], "Env": .array(environment.map { .string($0) }), "WorkingDir": "/"]
        let configBlob = try builder.writeBlob(Data(ValueJSON.serialize(.object(config)).utf8))
        guard case .object(var manifest) = try ValueJSON.parse(built.manifestJSON) else {
            throw TestSupportError("the image builder wrote a manifest that is not a JSON object")
        }
        manifest["config"] = [
            "mediaType": .string(OCIMediaType.config),
            "digest": .string(configBlob.digest.description), "size": .int(Int64(configBlob.size)),
        ]
        let manifestBlob = try builder.writeBlob(Data(ValueJSON.serialize(.object(manifest)).utf8))
        let index: Value = [
            "schemaVersion": 2,
            "manifests": [[
                "mediaType": .string(OCIMediaType.manifest),
                "digest": .string(manifestBlob.digest.description), "size": .int(Int64(manifestBlob.size)),
                "annotations": ["org.opencontainers.image.ref.name": .string(tag)],
            ]],
        ]
        try Data(ValueJSON.serialize(index).utf8).write(to: URL(fileURLWithPath: "\(layoutPath)/index.json"))
        return manifestBlob.digest
    }

    /// The shared objects a dynamically linked `executable` loads (the loader included), as files at
    /// their absolute paths, so the image runs without the host; nothing for a static executable.
    public static func sharedLibraryFiles(of executable: String) async throws -> [TarFile] {
        let listing = try await ProcessRunner.run("ldd", [executable])
        // ldd says "not a dynamic executable" and exits 1 for a static one.
        if listing.status != 0 {
            if listing.stdoutText.contains("not a dynamic executable") || listing.stderrText.contains("not a dynamic executable") {
                return []
            }
            throw TestSupportError("ldd \(executable) failed: \(listing.stderrText)")
        }
        return try sharedLibraryPaths(fromLDD: listing.stdoutText).map { path in
            TarFile(path: String(path.drop { $0 == "/" }),
                    contents: try Data(contentsOf: URL(fileURLWithPath: path).resolvingSymlinksInPath()), mode: 0o755)
        }
    }

    /// The absolute paths in `ldd` output: `libx.so => /lib/libx.so (0x…)` and `/lib64/ld-linux… (0x…)`.
    static func sharedLibraryPaths(fromLDD listing: String) -> [String] {
        listing.split(separator: "\n").compactMap { line -> String? in
            let text = line.trimmingCharacters(in: .whitespaces)
            let path = text.components(separatedBy: "=> ").last ?? text
            guard path.hasPrefix("/") else { return nil }
            return path.components(separatedBy: " (").first
        }
    }
}
