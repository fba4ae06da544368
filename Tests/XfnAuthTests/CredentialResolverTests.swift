import Foundation
import Testing
import XfnCore
@testable import XfnAuth

@Suite struct CredentialResolverTests {
    let home: String

    init() throws {
        home = FileManager.default.temporaryDirectory.path + "/xfn-auth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/.docker", withIntermediateDirectories: true)
    }

    func write(_ json: String, to relative: String) throws {
        let path = home + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try json.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func basic(_ user: String, _ password: String) -> String { Data("\(user):\(password)".utf8).base64EncodedString() }

    func resolve(_ registry: String, _ repository: String, env extra: [String: String] = [:]) async -> (Credential?, AuthTrace) {
        var variables = ["HOME": home, "XDG_RUNTIME_DIR": home + "/run"]
        variables.merge(extra) { $1 }
        let resolver = CredentialResolver.standard(environment: Environment(variables))
        let found = await resolver.resolve(registry: registry, repository: repository)
        return (found.credential, found.trace)
    }

    @Test func podmanLoginIsFoundWhenDockerConfigHasOtherHosts() async throws {
        // The Crossplane user's case: a Docker config exists, the right credential is only in Podman's file.
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("gh", "x"))"}}}"#, to: ".docker/config.json")
        try write(#"{"auths":{"123.dkr.ecr.us-east-1.amazonaws.com":{"auth":"\#(basic("AWS", "token"))"}}}"#, to: "run/containers/auth.json")
        let (credential, trace) = await resolve("123.dkr.ecr.us-east-1.amazonaws.com", "fn")
        #expect(credential?.secret == .basic(username: "AWS", password: "token"))
        #expect(credential?.source.contains("run/containers/auth.json") == true)
        #expect(trace.steps.contains { $0.outcome == .matched })
    }

    @Test func namespacedKeysWinMostSpecificFirst() async throws {
        try write(#"{"auths":{"quay.io":{"auth":"\#(basic("host", "1"))"},"quay.io/org":{"auth":"\#(basic("org", "2"))"},"quay.io/org/repo":{"auth":"\#(basic("repo", "3"))"}}}"#, to: ".config/containers/auth.json")
        #expect(await resolve("quay.io", "org/repo").0?.secret == .basic(username: "repo", password: "3"))
        #expect(await resolve("quay.io", "org/other").0?.secret == .basic(username: "org", password: "2"))
        #expect(await resolve("quay.io", "else/x").0?.secret == .basic(username: "host", password: "1"))
    }

    @Test func emptyEntriesDoNotStopTheSearch() async throws {
        try write(#"{"auths":{"ghcr.io":{}}}"#, to: "run/containers/auth.json")
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("u", "p"))"}}}"#, to: ".docker/config.json")
        #expect(await resolve("ghcr.io", "a/b").0?.secret == .basic(username: "u", password: "p"))
    }

    @Test func schemeAndV1KeysMatchTheirHost() async throws {
        try write(#"{"auths":{"https://registry.example.com:5000/v2/":{"auth":"\#(basic("u", "p"))"},"https://index.docker.io/v1/":{"auth":"\#(basic("hub", "q"))"}}}"#, to: ".docker/config.json")
        #expect(await resolve("registry.example.com:5000", "a").0?.secret == .basic(username: "u", password: "p"))
        #expect(await resolve("registry.example.com", "a").0 == nil)
        #expect(await resolve("docker.io", "library/alpine").0?.secret == .basic(username: "hub", password: "q"))
    }

    @Test func identityAndRegistryTokensAreRecognised() async throws {
        try write(#"{"auths":{"a.azurecr.io":{"username":"00000000-0000-0000-0000-000000000000","identitytoken":"refresh"},"b.io":{"registrytoken":"bearer"}}}"#, to: ".docker/config.json")
        #expect(await resolve("a.azurecr.io", "x").0?.secret == .identityToken("refresh"))
        #expect(await resolve("b.io", "x").0?.secret == .registryToken("bearer"))
    }

    @Test func environmentVariablesComeFirst() async throws {
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("file", "1"))"}}}"#, to: ".docker/config.json")
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("authfile", "2"))"}}}"#, to: "custom.json")
        let env = #"{"auths":{"ghcr.io":{"auth":"\#(basic("env", "3"))"}}}"#
        #expect(await resolve("ghcr.io", "a", env: ["DOCKER_AUTH_CONFIG": env]).0?.secret == .basic(username: "env", password: "3"))
        #expect(await resolve("ghcr.io", "a", env: ["REGISTRY_AUTH_FILE": home + "/custom.json"]).0?.secret == .basic(username: "authfile", password: "2"))
    }

    @Test func passwordKeepsColonsAndLosesTrailingNULs() async throws {
        let auth = Data("user:pa:ss\0\0".utf8).base64EncodedString()
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(auth)"}}}"#, to: ".docker/config.json")
        #expect(await resolve("ghcr.io", "a").0?.secret == .basic(username: "user", password: "pa:ss"))
    }

    @Test func brokenFilesAreReportedAndSkipped() async throws {
        try write("{not json", to: "run/containers/auth.json")
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("u", "p"))"}}}"#, to: ".docker/config.json")
        let (credential, trace) = await resolve("ghcr.io", "a")
        #expect(credential != nil)
        #expect(trace.steps.contains { $0.outcome == .failed && $0.detail.contains("invalid JSON") })
    }

    @Test func traceNeverContainsTheSecret() async throws {
        try write(#"{"auths":{"ghcr.io":{"auth":"\#(basic("someone", "hunter2-secret"))"}}}"#, to: ".docker/config.json")
        let (credential, trace) = await resolve("ghcr.io", "a")
        let text = trace.steps.map(\.description).joined() + (credential?.description ?? "")
        #expect(!text.contains("hunter2"))
        #expect(!text.contains(basic("someone", "hunter2-secret")))
        #expect(text.contains("someone"))
    }

    @Test func anonymousWhenNothingMatches() async throws {
        let (credential, trace) = await resolve("ghcr.io", "a")
        #expect(credential == nil)
        #expect(trace.steps.last?.source == "anonymous")
    }
}
