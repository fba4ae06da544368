import Foundation
import Testing
import XfnCore
import XfnTestSupport
@testable import XfnAuth

@Suite struct CredentialHelperTests {
    @Test func credHelpersEntryRunsTheHelperForItsHost() async throws {
        let env = try AuthTestEnvironment()
        try env.writeGetHelper("acme", serverURL: "registry.acme.io", username: "robot", secret: "helper-secret")
        try env.write(#"{"credHelpers":{"registry.acme.io":"acme"}}"#, to: ".docker/config.json")
        let (credential, trace) = await env.resolve("registry.acme.io", "team/fn")
        #expect(credential?.secret == .basic(username: "robot", password: "helper-secret"))
        #expect(trace.steps.contains { $0.outcome == .matched && $0.detail.contains("docker-credential-acme get registry.acme.io → exit 0") })
        #expect(env.helperLog("acme") == ["get registry.acme.io"])
        // Other hosts never start the helper.
        _ = await env.resolve("ghcr.io", "x/y")
        #expect(env.helperLog("acme").count == 1)
    }

    @Test func emptyEntryWithCredsStoreRunsTheStore() async throws {
        let env = try AuthTestEnvironment()
        try env.writeGetHelper("desk", serverURL: "ghcr.io", username: "octo", secret: "ghp_x")
        try env.write(#"{"auths":{"ghcr.io":{}},"credsStore":"desk"}"#, to: ".docker/config.json")
        let (credential, _) = await env.resolve("ghcr.io", "o/r")
        #expect(credential?.secret == .basic(username: "octo", password: "ghp_x"))
    }

    @Test func helperThatStoredTheSchemeFormIsAskedBoth() async throws {
        let env = try AuthTestEnvironment()
        try env.writeGetHelper("desk", serverURL: "https://quay.io", username: "q", secret: "s")
        try env.write(#"{"credsStore":"desk"}"#, to: ".docker/config.json")
        let (credential, trace) = await env.resolve("quay.io", "o/r")
        #expect(credential?.secret == .basic(username: "q", password: "s"))
        #expect(env.helperLog("desk") == ["get quay.io", "get https://quay.io"])
        #expect(trace.steps.contains { $0.outcome == .noMatch && $0.detail.contains("get quay.io → exit 1, credentials not found") })
    }

    @Test func dockerHubAskedWithItsHistoricalKey() async throws {
        let env = try AuthTestEnvironment()
        try env.writeGetHelper("desk", serverURL: "https://index.docker.io/v1/", username: "hubuser", secret: "dckr_pat")
        try env.write(#"{"credsStore":"desk"}"#, to: ".docker/config.json")
        #expect(await env.resolve("docker.io", "library/alpine").0?.secret == .basic(username: "hubuser", password: "dckr_pat"))
    }

    @Test func tokenUsernameMeansIdentityToken() async throws {
        let env = try AuthTestEnvironment()
        try env.writeGetHelper("acr", serverURL: "x.azurecr.io", username: "<token>", secret: "refresh-jwt")
        try env.write(#"{"credHelpers":{"x.azurecr.io":"acr"}}"#, to: ".docker/config.json")
        #expect(await env.resolve("x.azurecr.io", "r").0?.secret == .identityToken("refresh-jwt"))
    }

    @Test func missingHelperIsAWarningAndTheSearchGoesOn() async throws {
        var env = try AuthTestEnvironment()
        try env.write(#"{"credsStore":"desktop"}"#, to: ".docker/config.json")
        try env.write(#"{"auths":{"ghcr.io":{"auth":"\#(basicAuth("podman", "pw"))"}}}"#, to: "elsewhere/auth.json")
        env.variables["REGISTRY_AUTH_FILE"] = env.home.appending("elsewhere/auth.json")
        // The podman-style file comes first and answers; for a host it lacks, the missing helper is reported.
        #expect(await env.resolve("ghcr.io", "a").0?.secret == .basic(username: "podman", password: "pw"))
        let (credential, trace) = await env.resolve("quay.io", "a")
        #expect(credential == nil)
        #expect(trace.steps.contains { $0.outcome == .failed && $0.detail.contains("docker-credential-desktop, which is not on PATH") })
        #expect(trace.steps.last?.source == "anonymous")
    }

    @Test func failingHelperIsReportedWithItsExitStatus() async throws {
        let env = try AuthTestEnvironment()
        try env.writeHelper("broken", "echo 'keychain locked'; exit 3")
        try env.write(#"{"credHelpers":{"ghcr.io":"broken"}}"#, to: ".docker/config.json")
        let (credential, trace) = await env.resolve("ghcr.io", "a")
        #expect(credential == nil)
        #expect(trace.steps.contains { $0.outcome == .failed && $0.detail.contains("exit status 3: keychain locked") })
    }

    @Test func slowHelperIsStoppedAtItsTimeLimit() async throws {
        let env = try AuthTestEnvironment()
        try env.writeHelper("slow", "sleep 30")
        let helper = CredentialHelper(name: "slow", environment: env.environment, timeout: .milliseconds(500))
        let started = ContinuousClock.now
        let lookup = await helper.get(serverURL: "ghcr.io")
        guard case .failed(let detail) = lookup else {
            Issue.record("expected a failure, got \(lookup)")
            return
        }
        #expect(detail.contains("did not answer"))
        // Stopped long before the helper's own 30 seconds, even on a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(25))
    }

    @Test func storeListGetEraseRoundTrip() async throws {
        let env = try AuthTestEnvironment()
        try env.writeStoringHelper("files")
        let helper = CredentialHelper(name: "files", environment: env.environment)
        try await helper.store(serverURL: "reg.example", username: "me", secret: "s3")
        #expect(try await helper.list() == ["reg.example": "me"])
        guard case .found(let username, let secret) = await helper.get(serverURL: "reg.example") else {
            Issue.record("stored credential not found")
            return
        }
        #expect(username == "me" && secret == "s3")
        try await helper.erase(serverURL: "reg.example")
        guard case .notFound = await helper.get(serverURL: "reg.example") else {
            Issue.record("erased credential still there")
            return
        }
    }
}

@Suite struct DockerHubOAuthKeysTests {
    @Test func webLoginTokenKeysAreNotCredentials() async throws {
        let env = try AuthTestEnvironment()
        try env.write(#"{"auths":{"https://index.docker.io/v1/access-token":{"auth":"\#(basicAuth("hub", "oauth-access"))"},"https://index.docker.io/v1/refresh-token":{"auth":"\#(basicAuth("hub", "oauth-refresh"))"}}}"#,
                      to: ".docker/config.json")
        #expect(await env.resolve("docker.io", "library/alpine").0 == nil)
        try env.write(#"{"auths":{"https://index.docker.io/v1/access-token":{"auth":"\#(basicAuth("hub", "oauth-access"))"},"https://index.docker.io/v1/":{"auth":"\#(basicAuth("hub", "dckr_pat_x"))"}}}"#,
                      to: ".docker/config.json")
        #expect(await env.resolve("docker.io", "library/alpine").0?.secret == .basic(username: "hub", password: "dckr_pat_x"))
    }
}
