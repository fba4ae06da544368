import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// Pulls through a proxy that misbehaves the way networks and registries do.
@Suite(.serialized) struct PullFaultTests {
    func withProxiedImage(layerSizes: [Int] = [400_000], rules: [FaultRule],
                          _ body: (FaultProxy, XfnProcess, BuiltImage, String) async throws -> Void) async throws {
        try await RegistryProcess.with { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/faulty", layerSizes: layerSizes)
            try await FaultProxy.with(upstream: registry, rules: rules) { proxy in
                let xfn = try XfnProcess()
                try await body(proxy, xfn, built, "\(proxy.host)/lab/faulty:v1")
            }
        }
    }

    @Test func retriesAfter429HonouringRetryAfter() async throws {
        try await withProxiedImage(rules: [.tooManyRequests(path: FaultRule.manifestPath, times: 1)]) { proxy, xfn, built, reference in
            let started = Date()
            let result = try await xfn.pull([reference], ["--plain-http", proxy.host, "-v"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stderrText.contains("HTTP 429"))
            #expect(Date().timeIntervalSince(started) >= 0.9, "Retry-After: 1 was not honoured")
            #expect(proxy.injectedFaults.count == 1)
        }
    }

    @Test func retriesAfter503() async throws {
        try await withProxiedImage(rules: [.unavailable(path: FaultRule.blobPath, times: 2)]) { proxy, xfn, built, reference in
            let result = try await xfn.pull([reference], ["--plain-http", proxy.host])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(proxy.injectedFaults.count == 2)
        }
    }

    @Test func resumesABrokenBlobWithRange() async throws {
        try await withProxiedImage(layerSizes: [1_500_000], rules: []) { proxy, xfn, built, reference in
            try proxy.add(.cutBody(path: built.layers[0].digest.hex, afterBytes: 300_000, times: 1))
            let result = try await xfn.pull([reference], ["--plain-http", proxy.host, "-v"])
            #expect(result.status == 0, "\(result.stderrText)")
            let ranged = proxy.requests.filter { $0.header("Range") != nil }
            #expect(ranged.count >= 1, "no Range request was made")
            #expect(ranged.first?.header("Range")?.hasPrefix("bytes=") == true)
            #expect(ranged.first?.header("Range") != "bytes=0-")
            let layer = built.layers[0].digest
            #expect(try SHA256Hasher.digest(fileAt: xfn.cacheDirectory + "/blobs/sha256/" + layer.hex).digest == layer)
        }
    }

    @Test func badBytesLeftByAnEarlierPullAreReplaced() async throws {
        try await withProxiedImage(layerSizes: [500_000], rules: []) { proxy, xfn, built, reference in
            // An earlier, interrupted pull left 4 KB in the ingest area that do not belong to the blob.
            let partial = xfn.cacheDirectory + "/ingest/" + built.layers[0].digest.hex
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
            try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: partial + "/data"))
            let result = try await xfn.pull([reference], ["--plain-http", proxy.host])
            #expect(result.status == 0, "\(result.stderrText)")
            let ranged = proxy.requests.filter { $0.header("Range") == "bytes=4096-" }
            #expect(ranged.count == 1, "the partial download was not resumed first")
            let layer = built.layers[0].digest
            #expect(try SHA256Hasher.digest(fileAt: xfn.cacheDirectory + "/blobs/sha256/" + layer.hex).digest == layer)
        }
    }

    @Test func corruptBlobIsRejectedAndNothingIsCommitted() async throws {
        try await withProxiedImage(rules: []) { proxy, xfn, built, reference in
            try proxy.add(.corruptBody(path: built.layers[0].digest.hex, offset: 1000, times: nil))
            let result = try await xfn.pull([reference], ["--plain-http", proxy.host])
            #expect(result.status == 3)
            #expect(result.stderrText.contains("does not match its digest"), "\(result.stderrText)")
            let layer = built.layers[0].digest
            #expect(!FileManager.default.fileExists(atPath: xfn.cacheDirectory + "/blobs/sha256/" + layer.hex))
            #expect(!FileManager.default.fileExists(atPath: xfn.cacheDirectory + "/ingest/" + layer.hex + "/data"))
            // Once the network behaves, the same cache completes the pull.
            proxy.removeAllRules()
            let retry = try await xfn.pull([reference], ["--plain-http", proxy.host])
            #expect(retry.status == 0, "\(retry.stderrText)")
        }
    }

    @Test func redirectsDoNotCarryCredentialsToAnotherHost() async throws {
        try await TokenServer.with(policy: .users(["xfn": "pw"])) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let creds = RegistryCredentials(username: "xfn", password: "pw")
                let built = try await Fixtures.pushImage(to: registry, repository: "lab/redirected", layerSizes: [200_000], creds: creds)
                try await BlobServer.with { blobs in
                    try await FaultProxy.with(upstream: registry, rules: [.redirectBlobs(to: blobs)]) { proxy in
                        let xfn = try XfnProcess()
                        try xfn.writeDockerLogin(host: proxy.host, username: "xfn", password: "pw")
                        let result = try await xfn.pull(["\(proxy.host)/lab/redirected:v1"], ["--plain-http", proxy.host, "--plain-http", blobs.host])
                        #expect(result.status == 0, "\(result.stderrText)")
                        // The registry itself received the bearer token ...
                        #expect(proxy.requests.contains { $0.header("Authorization")?.hasPrefix("Bearer ") == true })
                        // ... the blob host received the redirected requests, and never a credential.
                        #expect(blobs.requests.count == built.layers.count + 1)
                        #expect(blobs.requests.allSatisfy { $0.header("Authorization") == nil })
                    }
                }
            }
        }
    }
}
