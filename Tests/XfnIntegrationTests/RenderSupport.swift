import Foundation
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// Inputs and peers for the `xfn render` tests: the case files and Python SDK functions of the
/// render tests, and a function image holding a static relay binary.
enum RenderFixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func caseFile(_ name: String, _ file: String) -> String {
        "\(repositoryRoot)/Tests/XfnRenderTests/Cases/\(name)/\(file)"
    }

    static func functionScript(_ script: String) -> String { "\(repositoryRoot)/Tests/XfnRenderTests/Functions/\(script)" }

    static func python() throws -> String {
        let candidate = ProcessInfo.processInfo.environment["XFN_TEST_PYTHON"] ?? "python3"
        if candidate.contains("/") { return candidate }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(candidate)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestSupportError("\(candidate) is not on PATH", hint: "run scripts/bootstrap (it installs the Python function SDK)")
    }

    /// Starts a Python SDK function on a free port and returns it with that port. It listens on
    /// loopback unless `host` says otherwise (containers need 0.0.0.0).
    static func startPeer(_ script: String, host: String = "127.0.0.1") async throws -> (FunctionProcess, Int) {
        let port = try LoopbackPort.free()
        let process = try FunctionProcess(function: script, executable: try python(),
                                          arguments: [functionScript(script), "--insecure", "--address", "\(host):\(port)"],
                                          port: port, forwardStderr: false, environment: nil, workingDirectory: nil)
        do {
            try await process.waitUntilListening(timeout: .seconds(30))
        } catch {
            await process.stop()
            throw error
        }
        return (process, port)
    }

    /// Live processes whose command line contains `text` (a test's own temporary path), zombies excluded.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                  !cmdline.isEmpty,
                  String(decoding: cmdline, as: UTF8.self).contains(text)
            else { return nil }
            return pid
        }
    }

    static func functionsYAML(_ entries: [(name: String, annotations: [String: String], package: String)]) -> String {
        entries.map { entry in
            var text = "apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: \(entry.name)\n"
            if !entry.annotations.isEmpty {
                text += "  annotations:\n"
                for key in entry.annotations.keys.sorted() { text += "    \(key): \"\(entry.annotations[key]!)\"\n" }
            }
            return text + "spec:\n  package: \(entry.package)\n"
        }.joined(separator: "---\n")
    }

    /// Compiles testdata/functions/relay.c statically and pushes an image whose rootfs is just that
    /// binary at /function (the entrypoint), with `env` in its config.
    static func pushRelayImage(to registry: RegistryProcess, repository: String, env: [String]) async throws {
        let scratch = try TemporaryDirectory(prefix: "xfn-relay")
        defer { scratch.remove() }
        let binary = scratch.appending("function")
        try await ProcessRunner.runChecked("cc", ["-static", "-O2", "-pthread", "-o", binary, "\(repositoryRoot)/testdata/functions/relay.c"])
        let builder = try OCIImageBuilder(layoutPath: scratch.appending("oci"))
        let built = try builder.addImage(
            TestImage(layers: [.files([TarFile(path: "function", contents: try Data(contentsOf: URL(fileURLWithPath: binary)), mode: 0o755)])]),
            tag: nil)
        // The builder writes no process settings; add the entrypoint and environment to its config.
        guard case .object(var config) = try ValueJSON.parse(built.configJSON) else { throw TestSupportError("bad config") }
        config["config"] = ["Entrypoint": ["/function"], "Env": .array(env.map { .string($0) }), "WorkingDir": "/"]
        let configBlob = try builder.writeBlob(Data(ValueJSON.serialize(.object(config)).utf8))
        guard case .object(var manifest) = try ValueJSON.parse(built.manifestJSON) else { throw TestSupportError("bad manifest") }
        manifest["config"] = [
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": .string(configBlob.digest.description), "size": .int(Int64(configBlob.size)),
        ]
        let manifestBlob = try builder.writeBlob(Data(ValueJSON.serialize(.object(manifest)).utf8))
        let index: Value = [
            "schemaVersion": 2,
            "manifests": [[
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": .string(manifestBlob.digest.description), "size": .int(Int64(manifestBlob.size)),
                "annotations": ["org.opencontainers.image.ref.name": "v1"],
            ]],
        ]
        try Data(ValueJSON.serialize(index).utf8).write(to: URL(fileURLWithPath: "\(builder.layoutPath)/index.json"))
        try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: repository, all: false)
    }
}
