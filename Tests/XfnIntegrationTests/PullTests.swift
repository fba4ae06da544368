import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// `xfn pull` against the real Distribution registry, read back by skopeo and umoci.
@Suite(.serialized) struct PullTests {
    @Test func pullsAnIndexAndOtherToolsReadTheCache() async throws {
        try await RegistryProcess.with { registry in
            let built = try await Fixtures.pushIndex(to: registry, repository: "lab/function-test")
            let xfn = try XfnProcess()
            let reference = "\(registry.host)/lab/function-test:v1"
            let result = try await xfn.pull([reference], ["--plain-http", registry.host, "--platform", "linux/arm64"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "\(reference)@\(built.indexDigest)\n")

            // Every blob is named by the SHA-256 of its content.
            let blobs = xfn.cacheDirectory + "/blobs/sha256"
            let names = try FileManager.default.contentsOfDirectory(atPath: blobs)
            let expectedBlobs = 6  // index, arm64 manifest, config, three layers
            #expect(names.count == expectedBlobs)
            for name in names {
                #expect(try SHA256Hasher.digest(fileAt: blobs + "/" + name).digest.hex == name)
            }
            #expect(names.contains(built.manifests[1].manifestDigest.hex))
            #expect(!names.contains(built.manifests[0].manifestDigest.hex))

            // skopeo and umoci read xfn's cache by the reference name.
            let inspected = try await ProcessRunner.runChecked("skopeo", ["inspect", "oci:\(xfn.cacheDirectory):\(reference)"])
            let document = try ValueJSON.parse(inspected.stdout)
            #expect(document["Digest"]?.stringValue == built.manifests[1].manifestDigest.description)
            #expect(document["Architecture"]?.stringValue == "arm64")
            let bundle = xfn.home.appending("bundle")
            try await ProcessRunner.runChecked("umoci", ["unpack", "--image", "\(xfn.cacheDirectory):\(reference)", bundle])
            let yaml = try String(contentsOfFile: bundle + "/rootfs/package.yaml", encoding: .utf8)
            #expect(yaml.contains("function-test"))
        }
    }

    @Test func warmPullsByTagAndDigest() async throws {
        try await RegistryProcess.with { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/warm", layerSizes: [100_000])
            let xfn = try XfnProcess()
            let tagged = "\(registry.host)/lab/warm:v1"
            let first = try await xfn.pull([tagged], ["--plain-http", registry.host, "-v"])
            #expect(first.status == 0, "\(first.stderrText)")

            // By tag: one request resolves the tag; nothing else is fetched.
            let warm = try await xfn.pull([tagged], ["--plain-http", registry.host, "-v"])
            #expect(warm.status == 0)
            let requests = warm.stderrText.split(separator: "\n").filter { $0.hasPrefix("xfn: HEAD") || $0.hasPrefix("xfn: GET") }
            #expect(requests.count == 1, "\(warm.stderrText)")
            #expect(requests.first?.hasPrefix("xfn: HEAD") == true)

            // By digest, with the registry gone: no request at all.
            registry.stop()
            let pinned = "\(registry.host)/lab/warm@\(built.manifestDigest)"
            let byDigest = try await xfn.pull([pinned], ["--plain-http", registry.host, "-v"])
            #expect(byDigest.status == 0, "\(byDigest.stderrText)")
            #expect(byDigest.stdoutText == pinned + "\n")
            #expect(!byDigest.stderrText.contains("xfn: GET") && !byDigest.stderrText.contains("xfn: HEAD"))

            // --offline answers the tag from the cache.
            let offline = try await xfn.pull([tagged], ["--offline"])
            #expect(offline.status == 0, "\(offline.stderrText)")
            #expect(offline.stdoutText == "\(tagged)@\(built.manifestDigest)\n")
        }
    }

    @Test func offlineWithoutCacheFailsClearly() async throws {
        let xfn = try XfnProcess()
        let result = try await xfn.pull(["registry.invalid/lab/none:v1"], ["--offline"])
        #expect(result.status == 3)
        #expect(result.stderrText.contains("is not in the cache, and --offline forbids the network"))
        #expect(result.stderrText.contains("hint:"))
    }

    @Test func unknownTagIsARegistryError() async throws {
        try await RegistryProcess.with { registry in
            _ = try await Fixtures.pushImage(to: registry, repository: "lab/exists", layerSizes: [10])
            let xfn = try XfnProcess()
            let result = try await xfn.pull(["\(registry.host)/lab/exists:nope"], ["--plain-http", registry.host])
            #expect(result.status == 3)
            #expect(result.stderrText.contains("xfn: error:"))
            #expect(result.stderrText.contains("manifest unknown"))
            #expect(result.stdoutText.isEmpty)
        }
    }

    @Test func badReferencesAreUsageErrors() async throws {
        let xfn = try XfnProcess()
        let result = try await xfn.pull(["crossplane-contrib/function-auto-ready:v0.5.0"])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("xfn: error: invalid reference"))
        #expect(result.stderrText.contains("hint: name the registry, e.g. xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0"))
    }

    @Test func plainHTTPRegistryContactedOverTLSSuggestsTheFlag() async throws {
        try await RegistryProcess.with { registry in
            let xfn = try XfnProcess()
            let result = try await xfn.pull(["\(registry.host)/lab/x:v1"])
            #expect(result.status == 3)
            #expect(result.stderrText.contains("--plain-http \(registry.host)"))
        }
    }

    @Test func twoProcessesDownloadEachBlobOnce() async throws {
        try await RegistryProcess.with { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/shared", layerSizes: [3 << 20, 2 << 20, 1 << 20])
            try await FaultProxy.with(upstream: registry) { proxy in
                let xfn = try XfnProcess()
                let reference = "\(proxy.host)/lab/shared:v1"
                async let first = xfn.pull([reference], ["--plain-http", proxy.host])
                async let second = xfn.pull([reference], ["--plain-http", proxy.host])
                let results = try await [first, second]
                for result in results { #expect(result.status == 0, "\(result.stderrText)") }
                let blobGets = proxy.requests.filter { $0.method == "GET" && $0.path.contains("/blobs/") }
                let digests = blobGets.map { String($0.path.split(separator: "/").last!) }
                #expect(Set(digests).count == built.layers.count + 1)
                #expect(digests.count == Set(digests).count, "some blob was downloaded twice: \(digests)")
            }
        }
    }
}
