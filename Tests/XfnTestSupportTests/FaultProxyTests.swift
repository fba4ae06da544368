import Foundation
import Testing
import XfnCore
import XfnTestSupport

@Suite("Fault proxy and blob server")
struct FaultProxyTests {
    /// A registry holding one image with a 200 KiB random layer, plus the builder's record of it.
    private func withSeededRegistry(
        _ body: (RegistryProcess, BuiltImage, OCIImageBuilder) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            let image = try builder.addImage(TestImage(layers: [.random(size: 200 * 1024)]), tag: "v1")
            try await RegistryProcess.with { registry in
                try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/img")
                try await body(registry, image, builder)
            }
        }
    }

    @Test("429 once with Retry-After, then the request passes; everything is recorded")
    func tooManyRequestsOnce() async throws {
        try await withSeededRegistry { registry, image, _ in
            try await FaultProxy.with(upstream: registry, rules: [.tooManyRequests(path: FaultRule.manifestPath)]) { proxy in
                let url = "\(proxy.baseURL)/v2/lab/img/manifests/v1"
                let accept = ["-H", "Accept: \(OCIMediaType.manifest)"]
                let first = try await curlHead(accept + [url])
                #expect(first.status == 429)
                #expect(first.headers.value("Retry-After") == "1")
                let second = try await curlHead(accept + [url])
                #expect(second.status == 200)
                #expect(second.headers.value("Docker-Content-Digest") == image.manifestDigest.description)
                #expect(proxy.injectedFaults.map(\.kind) == ["429"])
                #expect(proxy.requests.count == 2)
                #expect(proxy.requests.allSatisfy { $0.header("Accept") == OCIMediaType.manifest })
            }
        }
    }

    @Test("503 twice then pass; blob paths are unaffected by a manifest rule")
    func unavailableTwice() async throws {
        try await withSeededRegistry { registry, image, _ in
            try await FaultProxy.with(upstream: registry, rules: [.unavailable(path: FaultRule.manifestPath, times: 2)]) { (proxy) async throws in
                let manifest = "\(proxy.baseURL)/v2/lab/img/manifests/\(image.manifestDigest)"
                let accept = ["-H", "Accept: \(OCIMediaType.manifest)"]
                #expect(try await curlStatus(accept + [manifest]) == "503")
                #expect(try await curlStatus(["\(proxy.baseURL)/v2/lab/img/blobs/\(image.layers[0].digest)"]) == "200")
                #expect(try await curlStatus(accept + [manifest]) == "503")
                #expect(try await curlStatus(accept + [manifest]) == "200")
            }
        }
    }

    @Test("dropped connections get no answer and delayed requests arrive late")
    func dropAndDelay() async throws {
        try await withSeededRegistry { registry, _, _ in
            let rules: [FaultRule] = [.dropConnection(path: "^/v2/$"), .delay(path: "^/v2/lab/", milliseconds: 700)]
            try await FaultProxy.with(upstream: registry, rules: rules) { proxy in
                let dropped = try await ProcessRunner.run("curl", ["-s", "--max-time", "10", "\(proxy.baseURL)/v2/"])
                #expect(dropped.status == 52, "curl: empty reply from server")
                #expect(try await curlStatus(["\(proxy.baseURL)/v2/"]) == "200")
                let start = ContinuousClock.now
                #expect(try await curlStatus(["-H", "Accept: \(OCIMediaType.manifest)", "\(proxy.baseURL)/v2/lab/img/manifests/v1"]) == "200")
                #expect(ContinuousClock.now - start >= .milliseconds(700))
                #expect(proxy.injectedFaults.map(\.kind) == ["drop", "delay"])

                #expect(throws: TestSupportError.self) { try proxy.add(FaultRule(pathPattern: "(", action: .dropConnection)) }
                try proxy.add(.unavailable(path: "^/v2/$"))
                #expect(try await curlStatus(["\(proxy.baseURL)/v2/"]) == "503")
            }
        }
    }

    @Test("a body cut after K bytes can be resumed with Range through the proxy")
    func cutAndResume() async throws {
        try await withSeededRegistry { registry, image, builder in
            let layer = image.layers[0]
            let expected = try Data(contentsOf: URL(fileURLWithPath: builder.blobPath(layer.digest)))
            try await FaultProxy.with(upstream: registry, rules: [.cutBody(afterBytes: 50_000)]) { proxy in
                try await TemporaryDirectory.with { scratch in
                    let url = "\(proxy.baseURL)/v2/lab/img/blobs/\(layer.digest)"
                    let partial = scratch.appending("partial")
                    let cut = try await ProcessRunner.run("curl", ["-s", "--max-time", "10", "-o", partial, url])
                    #expect(cut.status == 18, "curl reports a partial transfer")
                    let head = try Data(contentsOf: URL(fileURLWithPath: partial))
                    #expect(head.count == 50_000)
                    let rest = scratch.appending("rest")
                    try await ProcessRunner.runChecked("curl", ["-s", "--fail", "-H", "Range: bytes=50000-", "-o", rest, url])
                    let whole = head + (try Data(contentsOf: URL(fileURLWithPath: rest)))
                    #expect(SHA256Hasher.digest(whole) == layer.digest)
                    #expect(whole == expected)
                    #expect(proxy.requests.last?.header("Range") == "bytes=50000-")
                    #expect(proxy.injectedFaults.map(\.kind) == ["truncate"])
                }
            }
        }
    }

    @Test("a corrupted body has the right length and the wrong digest")
    func corrupt() async throws {
        try await withSeededRegistry { registry, image, _ in
            let layer = image.layers[0]
            try await FaultProxy.with(upstream: registry, rules: [.corruptBody(offset: 1234)]) { proxy in
                let url = "\(proxy.baseURL)/v2/lab/img/blobs/\(layer.digest)"
                let bad = try await curlBody([url])
                #expect(bad.count == layer.size)
                #expect(SHA256Hasher.digest(bad) != layer.digest)
                let good = try await curlBody([url])
                #expect(SHA256Hasher.digest(good) == layer.digest)
                #expect(zip(bad, good).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset) == [1234])
            }
        }
    }

    @Test("blob GETs redirect to the blob server on another host, which records the headers it got")
    func redirectToBlobServer() async throws {
        try await withSeededRegistry { registry, image, _ in
            try await BlobServer.with { blobs in
                let signed = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc"
                try await FaultProxy.with(upstream: registry, rules: [.redirectBlobs(to: blobs, query: signed)]) { proxy in
                    let layer = image.layers[0]
                    let url = "\(proxy.baseURL)/v2/lab/img/blobs/\(layer.digest)"
                    let redirect = try await curlHead(["-H", "Authorization: Bearer secret", url])
                    #expect(redirect.status == 307)
                    let location = try #require(redirect.headers.value("Location"))
                    #expect(location == "\(blobs.baseURL)/v2/lab/img/blobs/\(layer.digest)?\(signed)")
                    #expect(location.hasPrefix("http://localhost:"))

                    // curl drops Authorization when following to another host.
                    let body = try await curlBody(["-L", "-H", "Authorization: Bearer secret", url])
                    #expect(SHA256Hasher.digest(body) == layer.digest)
                    #expect(blobs.requests.count == 1)
                    #expect(blobs.requests.first?.target.hasSuffix(signed) == true)
                    #expect(blobs.requests.first?.header("Authorization") == nil)
                    #expect(proxy.requests.allSatisfy { $0.header("Authorization") == "Bearer secret" })

                    let ranged = try await curlHead(["-H", "Range: bytes=10-19", location])
                    #expect(ranged.status == 206)
                    #expect(ranged.headers.value("Content-Range") == "bytes 10-19/\(layer.size)")
                    #expect(blobs.requests.last?.header("Range") == "bytes=10-19")
                }
            }
        }
    }

    @Test("a blob server that refuses Authorization answers 400 like S3")
    func blobServerRefusesAuthorization() async throws {
        try await BlobServer.with(refuseAuthorization: true) { (blobs) async throws in
            blobs.put(Array("hello blob".utf8), at: "/b")
            #expect(try await curlStatus(["\(blobs.baseURL)/b"]) == "200")
            #expect(try await curlStatus(["-H", "Authorization: Bearer x", "\(blobs.baseURL)/b"]) == "400")
            #expect(try await curlStatus(["-H", "Range: bytes=50-", "\(blobs.baseURL)/b"]) == "416")
            #expect(try await curlBody(["-H", "Range: bytes=-4", "\(blobs.baseURL)/b"]) == Data("blob".utf8))
            #expect(try await curlStatus(["\(blobs.baseURL)/missing"]) == "404")
            #expect(blobs.requests.map(\.path) == ["/b", "/b", "/b", "/b", "/missing"])
        }
    }

    @Test("client connections stay alive across forwarded and injected answers")
    func keepAlive() async throws {
        try await withSeededRegistry { registry, image, _ in
            let rule = FaultRule.tooManyRequests(path: FaultRule.blobPath, times: 1)
            try await FaultProxy.with(upstream: registry, rules: [rule]) { proxy in
                let url = "\(proxy.baseURL)/v2/lab/img/blobs/\(image.configDigest)"
                let result = try await ProcessRunner.runChecked(
                    "curl", ["-s", "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code} ",
                             url, url, "\(proxy.baseURL)/v2/"])
                #expect(result.stdoutText == "429 200 200 ")
                #expect(proxy.requests.count == 3)
                #expect(Set(proxy.requests.map(\.connection)).count == 1, "curl reused one connection")
            }
        }
    }

    @Test("a chunked upload body is forwarded intact")
    func chunkedUpload() async throws {
        try await withSeededRegistry { registry, _, _ in
            try await FaultProxy.with(upstream: registry) { proxy in
                try await TemporaryDirectory.with { scratch in
                    var payload = Data()
                    for index in 0..<5000 { payload.append(contentsOf: Array("line \(index)\n".utf8)) }
                    let file = try scratch.write(payload, to: "payload")
                    let digest = SHA256Hasher.digest(payload)
                    let started = try await curlHead(["-X", "POST", "\(proxy.baseURL)/v2/lab/up/blobs/uploads/"])
                    #expect(started.status == 202)
                    let location = try #require(started.headers.value("Location"))
                    #expect(location.hasPrefix(proxy.baseURL), "the registry builds URLs from the forwarded Host")
                    let patched = try await curlHead([
                        "-X", "PATCH", "-H", "Transfer-Encoding: chunked", "-H", "Content-Type: application/octet-stream",
                        "--data-binary", "@\(file)", location,
                    ])
                    #expect(patched.status == 202)
                    let next = try #require(patched.headers.value("Location"))
                    let separator = next.contains("?") ? "&" : "?"
                    let finished = try await curlHead(["-X", "PUT", "\(next)\(separator)digest=\(digest)"])
                    #expect(finished.status == 201)
                    #expect(proxy.requests.contains { $0.method == "PATCH" && $0.header("Transfer-Encoding") == "chunked" })
                    #expect(try await curlBody(["\(registry.baseURL)/v2/lab/up/blobs/\(digest)"]) == payload)
                }
            }
        }
    }

    @Test("skopeo pushes and inspects through the proxy, which forwards verbatim")
    func skopeoThroughProxy() async throws {
        try await withSeededRegistry { registry, image, builder in
            try await FaultProxy.with(upstream: registry) { proxy in
                try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: "\(proxy.host)/lab/copy:v1", tlsVerify: false)
                #expect(proxy.requests.contains { $0.method == "PUT" && $0.path == "/v2/lab/copy/manifests/v1" })
                #expect(proxy.requests.contains { $0.method == "PATCH" })
                let raw = try await Skopeo.inspectData("\(proxy.host)/lab/copy:v1", transport: .init(tlsVerify: false), raw: true)
                #expect(SHA256Hasher.digest(raw) == image.manifestDigest)
                #expect(proxy.injectedFaults.isEmpty)
            }
        }
    }

    @Test("a token-auth pull through the proxy follows blob redirects without sending the token there")
    func tokenPullWithRedirects() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            let image = try builder.addImage(TestImage(layers: [.random(size: 10_000), .random(size: 20_000)]), tag: "v1")
            let creds = RegistryCredentials(username: "xfn", password: "s3cret")
            try await TokenServer.with(policy: .users(["xfn": "s3cret"])) { tokens in
                try await RegistryProcess.with(auth: .token(tokens)) { registry in
                    try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/r", creds: creds)
                    try await BlobServer.with { blobs in
                        try await FaultProxy.with(upstream: registry, rules: [.redirectBlobs(to: blobs)]) { proxy in
                            try await Skopeo.pull("\(proxy.host)/lab/r:v1", toLayout: scratch.appending("pulled"), tag: "v1",
                                                  transport: .init(creds: creds, tlsVerify: false))
                            let wanted = Set(image.layers.map { "/v2/lab/r/blobs/\($0.digest)" } + ["/v2/lab/r/blobs/\(image.configDigest)"])
                            #expect(Set(blobs.requests.map(\.path)) == wanted)
                            #expect(blobs.requests.allSatisfy { $0.header("Authorization") == nil })
                            #expect(proxy.injectedFaults.filter { $0.kind == "redirect" }.count == wanted.count)
                            #expect(proxy.requests.contains { $0.header("Authorization")?.hasPrefix("Bearer ") == true })
                            for layer in image.layers {
                                let pulled = scratch.appending("pulled/blobs/sha256/\(layer.digest.hex)")
                                #expect(try SHA256Hasher.digest(fileAt: pulled).digest == layer.digest)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Status and headers of a GET answered through curl (`-D -` with the body discarded).
func curlHead(_ arguments: [String]) async throws -> (status: Int, headers: [HTTPHeader]) {
    let result = try await ProcessRunner.run(
        "curl", ["-s", "-o", "/dev/null", "-D", "-", "--max-time", "10"] + arguments, timeout: .seconds(20))
    var lines = result.stdoutText.components(separatedBy: "\r\n")
    let statusLine = lines.isEmpty ? "" : lines.removeFirst()
    let parts = statusLine.split(separator: " ")
    let status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let headers = lines.compactMap { line -> HTTPHeader? in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return HTTPHeader(name: String(line[..<colon]), value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return (status, headers)
}
