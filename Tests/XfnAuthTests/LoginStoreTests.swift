import Foundation
import Testing
import XfnCore
import XfnTestSupport
@testable import XfnAuth

@Suite struct LoginStoreTests {
    @Test func writesTheDockerConfigPrivatelyKeepingOtherKeys() async throws {
        let env = try AuthTestEnvironment()
        let path = try env.write(#"{"auths":{"ghcr.io":{"auth":"\#(basicAuth("a", "b"))"}},"proxies":{"default":{"httpProxy":"http://p"}}}"#,
                                 to: ".docker/config.json")
        let store = LoginStore(environment: env.environment)
        let location = try await store.save(registry: "quay.io", username: "me", password: "pw")
        #expect(location == "stored in \(path)")
        let saved = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(saved["auths"]?["quay.io"]?["auth"]?.stringValue == basicAuth("me", "pw"))
        #expect(saved["auths"]?["ghcr.io"] != nil)
        #expect(saved["proxies"]?["default"]?["httpProxy"]?.stringValue == "http://p")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // What login wrote, the resolver reads.
        #expect(await env.resolve("quay.io", "x").0?.secret == .basic(username: "me", password: "pw"))

        let removed = try await store.remove(registry: "quay.io")
        #expect(removed == ["\(path) (auths[\"quay.io\"])"])
        let after = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(after["auths"]?["quay.io"] == nil)
        #expect(after["auths"]?["ghcr.io"] != nil)
    }

    @Test func dockerHubUsesItsHistoricalKey() async throws {
        let env = try AuthTestEnvironment()
        let store = LoginStore(environment: env.environment)
        _ = try await store.save(registry: "docker.io", username: "hub", password: "pat")
        let saved = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: store.path)))
        #expect(saved["auths"]?["https://index.docker.io/v1/"] != nil)
    }

    @Test func configuredHelperReceivesTheCredential() async throws {
        let env = try AuthTestEnvironment()
        try env.writeStoringHelper("files")
        let path = try env.write(#"{"credsStore":"files"}"#, to: ".docker/config.json")
        let store = LoginStore(environment: env.environment)
        let location = try await store.save(registry: "reg.example:5000", username: "me", password: "pw")
        #expect(location.contains("docker-credential-files"))
        // The config file is untouched: the secret went to the helper.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == #"{"credsStore":"files"}"#)
        #expect(await env.resolve("reg.example:5000", "x").0?.secret == .basic(username: "me", password: "pw"))
        let removed = try await store.remove(registry: "reg.example:5000")
        #expect(removed == ["docker-credential-files (reg.example:5000)"])
        #expect(await env.resolve("reg.example:5000", "x").0 == nil)
    }
}
