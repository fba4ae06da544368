import Foundation
import XfnCore

/// Writes a minimal OCI image layout (oci-layout, index.json, blobs) around gzip layers, so an
/// independent tool can unpack the same layers xfn unpacks.
struct OCILayoutBuilder {
    let directory: String

    /// Each layer is given as an uncompressed tar (for its diff ID) and its gzip blob.
    func write(tag: String, layers: [(tar: String, gzip: String)]) throws {
        let blobs = directory + "/blobs/sha256"
        try FileManager.default.createDirectory(atPath: blobs, withIntermediateDirectories: true)
        var diffIDs: [String] = []
        var layerDescriptors: [[String: Any]] = []
        for layer in layers {
            diffIDs.append(try SHA256Hasher.digest(fileAt: layer.tar).digest.description)
            let (digest, size) = try SHA256Hasher.digest(fileAt: layer.gzip)
            try FileManager.default.copyItem(atPath: layer.gzip, toPath: blobs + "/" + digest.hex)
            layerDescriptors.append([
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": digest.description,
                "size": size,
            ])
        }
        let config: [String: Any] = [
            "architecture": "amd64",
            "os": "linux",
            "config": ["Env": ["PATH=/usr/bin:/bin"]],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        let configDescriptor = try writeBlob(config, mediaType: "application/vnd.oci.image.config.v1+json", into: blobs)
        let manifest: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configDescriptor,
            "layers": layerDescriptors,
        ]
        var manifestDescriptor = try writeBlob(manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", into: blobs)
        manifestDescriptor["annotations"] = ["org.opencontainers.image.ref.name": tag]
        let index: [String: Any] = ["schemaVersion": 2, "manifests": [manifestDescriptor]]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: directory + "/index.json"))
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: URL(fileURLWithPath: directory + "/oci-layout"))
    }

    private func writeBlob(_ object: [String: Any], mediaType: String, into blobs: String) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let digest = SHA256Hasher.digest(data)
        try data.write(to: URL(fileURLWithPath: blobs + "/" + digest.hex))
        return ["mediaType": mediaType, "digest": digest.description, "size": data.count]
    }
}

/// Runs a program to completion; returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// The first executable called `name` on PATH.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
