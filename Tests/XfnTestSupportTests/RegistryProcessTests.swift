import Foundation
import Testing
import XfnCore
import XfnTestSupport

@Suite("Registry peers")
struct RegistryProcessTests {
    @Test("an anonymous registry takes a skopeo push of a built image and serves the same manifest")
    func anonymousPush() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            let image = try builder.addImage(
                TestImage(layers: [.xpkg(packageYAML: "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\n"),
                                   .random(size: 4096)]),
                tag: "v1")
            try await RegistryProcess.with { registry in
                #expect(registry.host.hasPrefix("127.0.0.1:"))
                try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/fn")
                let raw = try await Skopeo.inspectData("\(registry.host)/lab/fn:v1", transport: .to(registry), raw: true)
                #expect(SHA256Hasher.digest(raw) == image.manifestDigest)
                let manifest = try ValueJSON.parse(raw)
                #expect(manifest.value(at: ["layers"])?.arrayValue?.first?
                    .value(at: ["annotations", "io.crossplane.xpkg"]) == "base")

                let status = try await curlStatus(["\(registry.baseURL)/v2/lab/fn/blobs/\(image.layers[1].digest)"])
                #expect(status == "200")
            }
        }
    }

    @Test("a two-platform index pushes with --all and keeps both platform manifests")
    func indexPush() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            let index = try builder.addTwoPlatformIndex(tag: "multi", packageYAML: "kind: Function\n")
            #expect(index.manifests.map(\.architecture) == ["amd64", "arm64"])
            #expect(index.manifests[0].manifestDigest != index.manifests[1].manifestDigest)
            try await RegistryProcess.with { registry in
                try await Skopeo.push(layout: builder.layoutPath, tag: "multi", to: registry, repository: "lab/multi")
                let raw = try await Skopeo.inspectData("\(registry.host)/lab/multi:multi", transport: .to(registry), raw: true)
                #expect(SHA256Hasher.digest(raw) == index.indexDigest)
                // Distribution 2.8 hides OCI manifests from clients that do not accept the OCI type.
                for manifest in index.manifests {
                    let url = "\(registry.baseURL)/v2/lab/multi/manifests/\(manifest.manifestDigest)"
                    #expect(try await curlStatus(["-I", "-H", "Accept: \(OCIMediaType.manifest)", url]) == "200")
                }
            }
        }
    }

    @Test("a TLS registry with htpasswd accepts skopeo with the generated CA and the right password only")
    func tlsHtpasswd() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            try builder.addImage(TestImage(layers: [.random(size: 2048)]), tag: "v1")
            try await RegistryProcess.with(auth: .htpasswd(users: ["xfn": "s3cret"]), tls: true) { registry in
                #expect(registry.baseURL.hasPrefix("https://"))
                let ca = try #require(registry.caCertificatePath)
                #expect(try await curlStatus(["--cacert", ca, "\(registry.baseURL)/v2/"]) == "401")
                #expect(try await curlStatus(["--cacert", ca, "-u", "xfn:s3cret", "\(registry.baseURL)/v2/"]) == "200")
                #expect(try await curlStatus(["--cacert", ca, "https://localhost:\(registry.port)/v2/"]) == "401")
                // Without the CA the handshake fails: curl reports no HTTP status at all.
                #expect(try await curlStatus(["\(registry.baseURL)/v2/"]) == "000")

                let good = RegistryCredentials(username: "xfn", password: "s3cret")
                try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/tls", creds: good)
                let inspected = try await Skopeo.inspect("\(registry.host)/lab/tls:v1", transport: .to(registry, creds: good))
                #expect(inspected["Architecture"] == "amd64")

                let bad = RegistryCredentials(username: "xfn", password: "wrong")
                await #expect(throws: CommandFailed.self) {
                    try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/tls2", creds: bad)
                }
            }
        }
    }
}

/// curl's `%{http_code}` for a request ("000" when no HTTP answer came back).
func curlStatus(_ arguments: [String]) async throws -> String {
    let result = try await ProcessRunner.run(
        "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + arguments, timeout: .seconds(20))
    return result.stdoutText
}
