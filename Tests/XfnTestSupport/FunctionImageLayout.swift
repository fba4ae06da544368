import Foundation
import XfnCore

/// A runnable function image in an OCI layout: one layer holding an executable at `/function` (plus,
/// for a dynamically linked one, the libraries it loads), and a config whose entrypoint is that file.
/// The shape of a distroless function image, small enough to build in a test.
public enum FunctionImageLayout {
    /// Writes the image to `layoutPath`, tagged `tag`; returns the manifest digest. `otherFiles` go
    /// into the same layer.
    @discardableResult
    public static func write(executable: String, to layoutPath: String, tag: String,
                             environment: [String] = [], otherFiles: [TarFile] = []) throws -> Digest {
        guard let contents = FileManager.default.contents(atPath: executable) else {
            throw TestSupportError("cannot read the function executable \(executable)",
                                   hint: "build it first (scripts/build-test-function OUTPUT)")
        }
        let builder = try OCIImageBuilder(layoutPath: layoutPath)
        let built = try builder.addImage(
            TestImage(layers: [.files([TarFile(path: "function", contents: contents, mode: 0o755)] + otherFiles)]), tag: nil)
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
}
