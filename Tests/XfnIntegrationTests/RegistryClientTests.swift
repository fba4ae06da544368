import Foundation
import Testing
import XfnAuth
import XfnCore
import XfnHTTP
import XfnOCI
import XfnPackage
import XfnRegistry
import XfnTestSupport

/// The registry client and transport used directly, for what the command line does not show.
@Suite(.serialized) struct RegistryClientTests {
    func client(plainHTTP: [String] = [], certificateDirectory: String? = nil, environment: [String: String] = [:]) -> RegistryClient {
        var settings = TransportSettings(environment: Environment(environment))
        settings.plainHTTPHosts = Set(plainHTTP)
        if let certificateDirectory { settings.certificateDirectories = [certificateDirectory] }
        return RegistryClient(http: HTTPClient(settings: settings), credentials: CredentialResolver(sources: []))
    }

    @Test func listsTagsAcrossPages() async throws {
        // Distribution 2.8 answers every tag in one page, so a scripted registry serves the pagination
        // that newer registries (and Docker Hub, GHCR) use.
        let tags = ["v0.1.0", "v0.2.0", "v1.0.0-rc.1", "v1.0.0", "v1.1.0"]
        try await StubServer.with(respond: { request in
            let items = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            let size = Int(items["n"] ?? "") ?? 100
            let start = items["last"].flatMap { last in tags.firstIndex(of: last).map { $0 + 1 } } ?? 0
            let page = Array(tags[start..<min(start + size, tags.count)])
            var headers: [HTTPHeader] = []
            if start + size < tags.count, let last = page.last {
                headers.append(HTTPHeader(name: "Link", value: "</v2/lab/tagged/tags/list?n=\(size)&last=\(last)>; rel=\"next\""))
            }
            let body = ValueJSON.serialize(["name": "lab/tagged", "tags": .array(page.map { .string($0) })])
            return HTTPResponse(status: 200, headers: headers + [HTTPHeader(name: "Content-Type", value: "application/json")], body: Array(body.utf8))
        }) { stub in
            let registryClient = client(plainHTTP: [stub.host])
            let reference = try Reference(parsing: "\(stub.host)/lab/tagged:v1.0.0")
            let listed = try await registryClient.listTags(reference, pageSize: 2)
            #expect(listed == tags)
            #expect(stub.requests.count == 3)
        }
    }

    @Test func constraintsResolveAgainstPaginatedTagsWithPrereleases() async throws {
        let tags = ["v0.9.0", "v1.0.0", "v1.2.0", "v1.3.0-rc.1", "latest", "v2.0.0", "v1.2.1"]
        try await StubServer.with(respond: { request in
            let items = Dictionary(request.queryItems.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
            let start = items["last"].flatMap { last in tags.firstIndex(of: last).map { $0 + 1 } } ?? 0
            let page = Array(tags[start..<min(start + 2, tags.count)])
            var headers = [HTTPHeader(name: "Content-Type", value: "application/json")]
            if start + 2 < tags.count, let last = page.last {
                headers.append(HTTPHeader(name: "Link", value: "</v2/lab/p/tags/list?n=2&last=\(last)>; rel=\"next\""))
            }
            return HTTPResponse(status: 200, headers: headers, body: Array(ValueJSON.serialize(["tags": .array(page.map { .string($0) })]).utf8))
        }) { stub in
            let registryClient = client(plainHTTP: [stub.host])
            func resolve(_ version: String) async throws -> String {
                try await PackageVersions.reference(joined: "\(stub.host)/lab/p:\(version)") { probe in
                    try await registryClient.listTags(probe, pageSize: 2)
                }.tag ?? ""
            }
            let range = try await resolve(">=v1.0.0, <v2.0.0")
            #expect(range == "v1.2.1")
            // Masterminds applies the prerelease rule per comparison: the range itself must name a prerelease.
            let prerelease = try await resolve("~v1.3.0-0")
            #expect(prerelease == "v1.3.0-rc.1")
            let caret = try await resolve("^0.9")
            #expect(caret == "v0.9.0")
            let exact = try await resolve("latest")
            #expect(exact == "latest")
            await #expect(throws: PackageError.self) { _ = try await resolve(">=v3.0.0") }
        }
    }

    @Test func speaksHTTP2ToATLSRegistry() async throws {
        try await RegistryProcess.with(tls: true) { registry in
            let certs = try TemporaryDirectory(prefix: "xfn-certs")
            let hostDirectory = try certs.subdirectory(registry.host)
            try FileManager.default.copyItem(atPath: registry.caCertificatePath!, toPath: hostDirectory + "/ca.crt")
            let registryClient = client(certificateDirectory: certs.path)
            let response = try await registryClient.http.send(HTTPRequest(url: "\(registry.baseURL)/v2/"))
            #expect(response.status == 200)
            #expect(response.httpMajorVersion == 2)
        }
    }

    @Test func proxyFromEnvironmentIsUsedInEitherCase() async throws {
        try await RegistryProcess.with { registry in
            try await FaultProxy.with(upstream: registry) { proxy in
                // Requests for an unreachable name reach the registry only through the proxy.
                for variable in ["http_proxy", "HTTP_PROXY"] {
                    let registryClient = client(environment: [variable: proxy.baseURL])
                    let response = try await registryClient.http.send(HTTPRequest(url: "http://registry.invalid/v2/"))
                    #expect(response.status == 200, "\(variable) was not used")
                }
                let bypass = client(environment: ["HTTP_PROXY": proxy.baseURL, "NO_PROXY": "registry.invalid"])
                await #expect(throws: HTTPError.self) {
                    _ = try await bypass.http.send(HTTPRequest(url: "http://registry.invalid/v2/"))
                }
            }
        }
    }

    @Test func manifestDigestIsVerified() async throws {
        try await RegistryProcess.with { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/verified", layerSizes: [10])
            try await FaultProxy.with(upstream: registry, rules: [.corruptBody(path: FaultRule.manifestPath, offset: 5, times: nil)]) { proxy in
                let registryClient = client(plainHTTP: [proxy.host])
                let reference = try Reference(parsing: "\(proxy.host)/lab/verified@\(built.manifestDigest)")
                await #expect(throws: ContentMismatchError.self) { _ = try await registryClient.fetchManifest(reference) }
            }
        }
    }

    @Test func cancellationStopsATransfer() async throws {
        // A loopback listener that never accepts: the request waits for an answer that never comes.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        #expect(bound == 0)
        #expect(listen(listener, 4) == 0)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let registryClient = client()
        let task = Task { try await registryClient.http.send(HTTPRequest(url: "http://127.0.0.1:\(port)/v2/")) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let started = ContinuousClock.now
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
