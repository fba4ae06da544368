import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// Pulls that authenticate: Basic over TLS with a CA from certs.d, and the Bearer token flow.
@Suite(.serialized) struct PullAuthTests {
    @Test func basicAuthOverTLSWithCAFromCertsD() async throws {
        let creds = RegistryCredentials(username: "xfn", password: "s3cret-pass")
        try await RegistryProcess.with(auth: .htpasswd(users: ["xfn": creds.password]), tls: true) { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/private", layerSizes: [50_000], creds: creds)
            let xfn = try XfnProcess()
            let reference = "\(registry.host)/lab/private:v1"

            // Without trusting the CA: a TLS error that says where the CA goes.
            let untrusted = try await xfn.pull([reference])
            #expect(untrusted.status == 3)
            #expect(untrusted.stderrText.contains("certs.d/\(registry.host)/ca.crt"))

            try xfn.trustCertificate(registry.caCertificatePath!, for: registry.host)
            // Trusted, but no credentials: denied, with the sources consulted listed.
            let anonymous = try await xfn.pull([reference])
            #expect(anonymous.status == 3)
            #expect(anonymous.stderrText.contains("denied access (HTTP 401)"), "\(anonymous.stderrText)")
            #expect(anonymous.stderrText.contains("credentials considered:"))
            #expect(anonymous.stderrText.contains(".docker/config.json: does not exist"))

            try xfn.writeDockerLogin(host: registry.host, username: creds.username, password: creds.password)
            let result = try await xfn.pull([reference])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
        }
    }

    @Test func clientCertificateFromCertsD() async throws {
        try await RegistryProcess.with(tls: true, requireClientCertificates: true) { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/mtls", layerSizes: [1000])
            let xfn = try XfnProcess()
            let reference = "\(registry.host)/lab/mtls:v1"
            try xfn.trustCertificate(registry.caCertificatePath!, for: registry.host)
            let refused = try await xfn.pull([reference])
            #expect(refused.status == 3, "the registry accepted a client without a certificate")
            // docker's and podman's layout: HOST/client.cert with HOST/client.key beside it.
            let directory = xfn.home.appending(".config/containers/certs.d/\(registry.host)")
            try FileManager.default.copyItem(atPath: registry.clientCertificate!.certificate, toPath: directory + "/client.cert")
            try FileManager.default.copyItem(atPath: registry.clientCertificate!.key, toPath: directory + "/client.key")
            let result = try await xfn.pull([reference])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
        }
    }

    @Test func insecureSkipTLSVerifyIsPerHost() async throws {
        try await RegistryProcess.with(tls: true) { registry in
            let built = try await Fixtures.pushImage(to: registry, repository: "lab/selfsigned", layerSizes: [1000])
            let xfn = try XfnProcess()
            let reference = "\(registry.host)/lab/selfsigned:v1"
            let otherHost = try await xfn.pull([reference], ["--insecure-skip-tls-verify", "127.0.0.2"])
            #expect(otherHost.status == 3)
            let result = try await xfn.pull([reference], ["--insecure-skip-tls-verify", "127.0.0.1"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
        }
    }

    @Test func wrongPasswordNamesTheSourceAndHidesTheSecret() async throws {
        try await RegistryProcess.with(auth: .htpasswd(users: ["xfn": "right"]), tls: true) { registry in
            let xfn = try XfnProcess()
            try xfn.trustCertificate(registry.caCertificatePath!, for: registry.host)
            try xfn.writeDockerLogin(host: registry.host, username: "xfn", password: "wrong-and-secret")
            let result = try await xfn.pull(["\(registry.host)/lab/private:v1"], ["-v"])
            #expect(result.status == 3)
            #expect(result.stderrText.contains("auths[\"\(registry.host)\"]: user 'xfn'"), "\(result.stderrText)")
            #expect(!result.stderrText.contains("wrong-and-secret"))
            #expect(!result.stderrText.contains(Data("xfn:wrong-and-secret".utf8).base64EncodedString()))
        }
    }

    @Test func bearerTokensAreFetchedOnceAndShared() async throws {
        let policy = TokenPolicy.users(["xfn": "token-pass"])
        try await TokenServer.with(policy: policy) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let creds = RegistryCredentials(username: "xfn", password: "token-pass")
                let built = try await Fixtures.pushIndex(to: registry, repository: "lab/tokened", layerSizes: [10_000, 20_000, 30_000], creds: creds)
                tokens.clearRequests()
                let xfn = try XfnProcess()
                try xfn.writeDockerLogin(host: registry.host, username: "xfn", password: "token-pass")
                let reference = "\(registry.host)/lab/tokened:v1"
                let result = try await xfn.pull([reference], ["--plain-http", registry.host])
                #expect(result.status == 0, "\(result.stderrText)")
                #expect(result.stdoutText == "\(reference)@\(built.indexDigest)\n")
                // Seven requests to the registry (resolve, index, manifest, config, three layers) share one token.
                let issued = tokens.requests.filter { $0.status == 200 }
                #expect(issued.count == 1, "\(issued.map(\.scopes))")
                #expect(issued.first?.username == "xfn")
                #expect(issued.first?.scopes == ["repository:lab/tokened:pull"])
            }
        }
    }

    @Test func anonymousTokensForPublicRepositories() async throws {
        let policy = TokenPolicy.users(["pusher": "p"], anonymousPullPrefixes: ["public/"])
        try await TokenServer.with(policy: policy) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let creds = RegistryCredentials(username: "pusher", password: "p")
                _ = try await Fixtures.pushImage(to: registry, repository: "public/fn", layerSizes: [1000], creds: creds)
                _ = try await Fixtures.pushImage(to: registry, repository: "private/fn", layerSizes: [1000], creds: creds)
                let xfn = try XfnProcess()
                let open = try await xfn.pull(["\(registry.host)/public/fn:v1"], ["--plain-http", registry.host])
                #expect(open.status == 0, "\(open.stderrText)")
                let closed = try await xfn.pull(["\(registry.host)/private/fn:v1"], ["--plain-http", registry.host])
                #expect(closed.status == 3)
                #expect(closed.stderrText.contains("denied access"))
            }
        }
    }

    @Test func explicitCredentialsFromStandardInput() async throws {
        try await TokenServer.with(policy: .users(["xfn": "from-stdin"])) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let creds = RegistryCredentials(username: "xfn", password: "from-stdin")
                _ = try await Fixtures.pushImage(to: registry, repository: "lab/stdin", layerSizes: [1000], creds: creds)
                let xfn = try XfnProcess()
                let result = try await xfn.run(
                    ["pull", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, "--username", "xfn", "--password-stdin",
                     "\(registry.host)/lab/stdin:v1"],
                    input: Data("from-stdin\n".utf8))
                #expect(result.status == 0, "\(result.stderrText)")
            }
        }
    }

    @Test func authExplainListsEverySource() async throws {
        try await RegistryProcess.with(auth: .htpasswd(users: ["xfn": "pw"]), tls: true) { registry in
            let xfn = try XfnProcess()
            try xfn.trustCertificate(registry.caCertificatePath!, for: registry.host)
            _ = try xfn.home.subdirectory("run/containers")
            _ = try xfn.home.write(#"{"auths":{"\#(registry.host)":{"auth":"\#(Data("xfn:pw".utf8).base64EncodedString())"}}}"#, to: "run/containers/auth.json")
            let result = try await xfn.run(["auth", "explain", "--cache-dir", xfn.cacheDirectory, "\(registry.host)/lab/none:v1"])
            let text = result.stdoutText
            #expect(text.contains("$DOCKER_AUTH_CONFIG: not set"))
            #expect(text.contains("✓ podman"))
            #expect(text.contains("run/containers/auth.json"))
            #expect(text.contains("outcome:"))
            #expect(!text.contains("pw\""))
        }
    }
}
