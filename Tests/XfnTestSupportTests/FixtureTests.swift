import Foundation
import Testing
import XfnCore
import XfnTestSupport

@Suite("Fixtures and helpers")
struct FixtureTests {
    @Test("the OCI layout holds digests that match the bytes, diff_ids of the tars and the xpkg label")
    func layoutContents() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            let yaml = "apiVersion: meta.pkg.crossplane.io/v1beta1\nkind: Function\nmetadata:\n  name: fn\n"
            let image = try builder.addImage(
                TestImage(layers: [.xpkg(packageYAML: yaml), .random(size: 3000), .random(size: 70_000)],
                          labels: ["org.example/team": "x"]),
                tag: "v1")
            #expect(image.layers.count == 3)
            #expect(image.layers[2].size > 70_000, "random data does not compress")

            for layer in image.layers {
                let blob = builder.blobPath(layer.digest)
                #expect(try SHA256Hasher.digest(fileAt: blob).digest == layer.digest)
                let tar = try await ProcessRunner.runChecked("gzip", ["-dc", blob]).stdout
                #expect(SHA256Hasher.digest(tar) == layer.diffID)
            }
            let listing = try await ProcessRunner.runChecked("tar", ["-tzf", builder.blobPath(image.layers[0].digest)])
            #expect(listing.stdoutText == "package.yaml\n")

            let config = try ValueJSON.parse(try Data(contentsOf: URL(fileURLWithPath: builder.blobPath(image.configDigest))))
            #expect(config["architecture"] == "amd64")
            #expect(config["os"] == "linux")
            #expect(config.value(at: ["rootfs", "diff_ids"])?.arrayValue?.compactMap(\.stringValue)
                == image.layers.map(\.diffID.description))
            #expect(config.value(at: ["config", "Labels", "io.crossplane.xpkg:\(image.layers[0].digest)"]) == "base")
            #expect(config.value(at: ["config", "Labels", "org.example/team"]) == "x")

            let manifest = try ValueJSON.parse(image.manifestJSON)
            #expect(SHA256Hasher.digest(image.manifestJSON) == image.manifestDigest)
            #expect(manifest.value(at: ["layers"])?.arrayValue?[0].value(at: ["annotations", "io.crossplane.xpkg"]) == "base")
            #expect(manifest.value(at: ["layers"])?.arrayValue?[1]["annotations"] == nil)

            let index = try ValueJSON.parse(try Data(contentsOf: URL(fileURLWithPath: builder.layoutPath + "/index.json")))
            let entry = try #require(index["manifests"]?.arrayValue?.first)
            #expect(entry["digest"]?.stringValue == image.manifestDigest.description)
            #expect(entry.value(at: ["annotations", "org.opencontainers.image.ref.name"]) == "v1")
        }
    }

    @Test("umoci unpacks a built image into a rootfs with every layer's files")
    func umociUnpack() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            try builder.addImage(
                TestImage(layers: [
                    .xpkg(packageYAML: "kind: Function\n"),
                    .files([TarFile(path: "function", contents: Data("#!/bin/sh\necho hi\n".utf8), mode: 0o755)]),
                ]),
                tag: "v1")
            let bundle = scratch.appending("bundle")
            try await Umoci.unpack(layout: builder.layoutPath, tag: "v1", bundle: bundle)
            #expect(try String(contentsOfFile: bundle + "/rootfs/package.yaml", encoding: .utf8) == "kind: Function\n")
            #expect(FileManager.default.isExecutableFile(atPath: bundle + "/rootfs/function"))
            #expect(FileManager.default.fileExists(atPath: bundle + "/config.json"))
        }
    }

    @Test("the process runner captures output and status and kills commands that overrun")
    func processRunner() async throws {
        let echo = try await ProcessRunner.run("sh", ["-c", "echo out; echo err >&2; cat; exit 3"], input: Data("in\n".utf8))
        #expect(echo.status == 3)
        #expect(echo.stdoutText == "out\nin\n")
        #expect(echo.stderrText == "err\n")
        #expect(!echo.timedOut)

        let start = ContinuousClock.now
        let slow = try await ProcessRunner.run("sleep", ["30"], timeout: .milliseconds(300))
        #expect(slow.timedOut)
        #expect(slow.status == SIGTERM, "children start with signals unblocked, so SIGTERM ends them")
        // Far below the 30 s the command asked for, with room for a loaded machine.
        #expect(ContinuousClock.now - start < .seconds(15))

        await #expect(throws: CommandFailed.self) { try await ProcessRunner.runChecked("false", []) }
        #expect(throws: TestSupportError.self) { try ProcessRunner.resolve("xfn-no-such-command") }
        let env = try await ProcessRunner.runChecked("sh", ["-c", "printf %s \"$XFN_PROBE\""], environment: ["XFN_PROBE": "v"])
        #expect(env.stdoutText == "v")
    }

    @Test("temporary directories disappear after use, also when the body throws")
    func temporaryDirectory() async throws {
        struct Boom: Error {}
        var kept = ""
        await #expect(throws: Boom.self) {
            try await TemporaryDirectory.with { directory in
                kept = directory.path
                try directory.write("x", to: "a/b.txt")
                #expect(FileManager.default.fileExists(atPath: directory.appending("a/b.txt")))
                throw Boom()
            }
        }
        #expect(!kept.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: kept))
        #expect(kept.hasPrefix(FileManager.default.temporaryDirectory.path))
    }

    @Test("stopping a registry kills the process and removes its storage")
    func registryStop() async throws {
        let registry = try await RegistryProcess.start()
        #expect(registry.isRunning)
        let log = registry.logPath
        #expect(FileManager.default.fileExists(atPath: log))
        registry.stop()
        #expect(!registry.isRunning)
        #expect(!FileManager.default.fileExists(atPath: log))
        #expect(try await curlStatus(["\(registry.baseURL)/v2/"]) == "000")
    }

    @Test("a stub server answers from its closure and records whole requests")
    func stubServer() async throws {
        try await StubServer.with(respond: { request in
            request.path == "/ok" ? .json(200, #"{"ok":true}"#) : .text(418, "teapot")
        }) { stub in
            #expect(try await curlBody(["\(stub.baseURL)/ok"]) == Data(#"{"ok":true}"#.utf8))
            #expect(try await curlStatus(["-d", "a=1&b=two+words", "\(stub.baseURL)/form?x=%2F"]) == "418")
            let last = try #require(stub.requests.last)
            #expect(last.method == "POST")
            #expect(last.body == Array("a=1&b=two+words".utf8))
            #expect(last.queryItems.map(\.value) == ["/"])
            #expect(FormDecoding.decode(String(decoding: last.body, as: UTF8.self)).map(\.value) == ["1", "two words"])
        }
    }
}
