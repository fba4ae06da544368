import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// The credential chain through the real `xfn` binary against real registries and token servers.
@Suite(.serialized) struct AuthIntegrationTests {
    /// A token-auth registry whose token server accepts the pusher and what `accept` allows, with
    /// `lab/fn:v1` pushed; `body` gets the registry, the token server and the pushed image.
    func withTokenRegistry(_ accept: @escaping @Sendable (TokenCredential) -> Bool,
                           _ body: (RegistryProcess, TokenServer, BuiltImage) async throws -> Void) async throws {
        try await TokenServer.with(policy: .pusherAnd(accept)) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let built = try await Fixtures.pushImage(to: registry, repository: "lab/fn", layerSizes: [2000],
                                                         creds: RegistryCredentials(username: "pusher", password: "p"))
                tokens.clearRequests()
                try await body(registry, tokens, built)
            }
        }
    }

    @Test func podmanLoginIsUsedWhenTheDockerConfigHasOtherEntries() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "podman-user", password: "podman-pass") }) { registry, tokens, built in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            // The Crossplane report: docker's file exists (with other hosts and a store), podman's has the login.
            try xfn.writeFile(#"{"auths":{"ghcr.io":{"auth":"\#(basicAuthValue("gh", "x"))"},"quay.io":{}},"credHelpers":{"gcr.io":"gcloud"}}"#,
                              to: ".docker/config.json")
            try xfn.writeFile(#"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue("podman-user", "podman-pass"))"}}}"#,
                              to: "run/containers/auth.json")
            let reference = "\(registry.host)/lab/fn:v1"
            let result = try await xfn.pull([reference], ["--plain-http", registry.host])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
            #expect(tokens.requests.contains { $0.username == "podman-user" && $0.status == 200 })
        }
    }

    @Test func credentialHelpersAnswerForTheirHosts() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "helper-user", password: "helper-secret") }) { registry, tokens, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.writeHelper("lab", serverURL: registry.host, username: "helper-user", secret: "helper-secret")
            try xfn.writeFile(#"{"auths":{"\#(registry.host)":{}},"credHelpers":{"\#(registry.host)":"lab"}}"#, to: ".docker/config.json")
            let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host, "--verbose"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(!(result.stdoutText + result.stderrText).contains("helper-secret"))

            // The same through credsStore, the helper having stored the https:// form.
            try xfn.writeHelper("desk", serverURL: "https://\(registry.host)", username: "helper-user", secret: "helper-secret")
            try xfn.writeFile(#"{"credsStore":"desk"}"#, to: ".docker/config.json")
            let viaStore = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(viaStore.status == 0, "\(viaStore.stderrText)")
            let log = try String(contentsOfFile: xfn.home.appending("bin/desk.log"), encoding: .utf8)
            #expect(log == "get \(registry.host)\nget https://\(registry.host)\n")
        }
    }

    @Test func missingHelperDoesNotBlockPublicImages() async throws {
        let policy = TokenPolicy.users(["pusher": "p"], anonymousPullPrefixes: ["public/"])
        try await TokenServer.with(policy: policy) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                _ = try await Fixtures.pushImage(to: registry, repository: "public/fn", layerSizes: [1000],
                                                 creds: RegistryCredentials(username: "pusher", password: "p"))
                var xfn = try XfnProcess()
                try xfn.isolateCloudSettings()
                try xfn.writeFile(#"{"credsStore":"desktop"}"#, to: ".docker/config.json")
                let result = try await xfn.pull(["\(registry.host)/public/fn:v1"], ["--plain-http", registry.host])
                #expect(result.status == 0, "\(result.stderrText)")
                let explain = try await xfn.run(["auth", "explain", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                                                 "\(registry.host)/public/fn:v1"])
                #expect(explain.stdoutText.contains("docker-credential-desktop, which is not on PATH"), "\(explain.stdoutText)")
                #expect(explain.status == 0)
            }
        }
    }

    @Test func environmentAndAuthFileVariables() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "env-user", password: "env-pass") }) { registry, _, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            xfn.environment["DOCKER_AUTH_CONFIG"] = #"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue("env-user", "env-pass"))"}}}"#
            let fromEnvironment = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderrText)")

            var other = try XfnProcess()
            try other.isolateCloudSettings()
            try other.writeFile(#"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue("env-user", "env-pass"))"}}}"#, to: "somewhere/auth.json")
            other.environment["REGISTRY_AUTH_FILE"] = other.home.appending("somewhere/auth.json")
            let fromFile = try await other.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(fromFile.status == 0, "\(fromFile.stderrText)")
        }
    }

    @Test func namespacedKeysApplyToTheirRepositoriesOnly() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "lab-robot", password: "ns-pass") }) { registry, tokens, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.writeFile(#"{"auths":{"\#(registry.host)/lab":{"auth":"\#(basicAuthValue("lab-robot", "ns-pass"))"},"\#(registry.host)/other":{"auth":"\#(basicAuthValue("other-robot", "x"))"}}}"#,
                              to: ".config/containers/auth.json")
            let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(tokens.requests.contains { $0.username == "lab-robot" && $0.status == 200 })
            #expect(!tokens.requests.contains { $0.username == "other-robot" })
        }
    }

    @Test func googleJSONKeyLoginsReachTheRegistryIntact() async throws {
        let directory = try TemporaryDirectory(prefix: "xfn-gkey")
        let pemPath = directory.appending("key.pem")
        try await ProcessRunner.runChecked("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pemPath])
        let key: Value = ["type": "service_account", "client_email": "ci@proj.iam.gserviceaccount.com",
                          "private_key": .string(try String(contentsOfFile: pemPath, encoding: .utf8))]
        let keyJSON = ValueJSON.serialize(key)
        let keyBase64 = Data(keyJSON.utf8).base64EncodedString()
        try await withTokenRegistry({ $0 == .basic(username: "_json_key", password: keyJSON) || $0 == .basic(username: "_json_key_base64", password: keyBase64) }) { registry, tokens, _ in
            for (user, password) in [("_json_key", keyJSON), ("_json_key_base64", keyBase64)] {
                var xfn = try XfnProcess()
                try xfn.isolateCloudSettings()
                try xfn.writeFile(#"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue(user, password))"}}}"#, to: ".docker/config.json")
                let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host, "-v"])
                #expect(result.status == 0, "\(result.stderrText)")
                #expect(tokens.requests.contains { $0.username == user && $0.status == 200 })
                #expect(!(result.stdoutText + result.stderrText).contains("PRIVATE KEY"))
            }
        }
    }

    @Test func containerdConfigCredentials() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "node", password: #"p"w'd"#) }) { registry, _, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.writeFile("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry.configs."\(registry.host)".auth]
                  username = "node"
                  password = "p\\"w'd"
                """, to: "containerd/config.toml")
            let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"],
                                            ["--plain-http", registry.host, "--containerd-config", xfn.home.appending("containerd/config.toml")])
            #expect(result.status == 0, "\(result.stderrText)")
        }
    }

    @Test func identityTokenIsRefreshedWithTheOAuthGrant() async throws {
        try await withTokenRegistry({ $0 == .refreshToken("idtoken-abc") }) { registry, tokens, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.writeFile(#"{"auths":{"\#(registry.host)":{"identitytoken":"idtoken-abc"}}}"#, to: ".docker/config.json")
            let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host, "-v"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(tokens.requests.contains { $0.method == "POST" && $0.grantType == "refresh_token" && $0.status == 200 })
            #expect(!(result.stdoutText + result.stderrText).contains("idtoken-abc"))
        }
    }

    @Test func ecrThroughMotoWithEnvironmentKeysAndWebIdentity() async throws {
        try await MotoServer.with { moto in
            let account = "123456789012"
            let password = try await moto.ecrPassword(account: account, region: "us-east-1")
            #expect(!password.isEmpty)
            try await withTokenRegistry({ $0 == .basic(username: "AWS", password: password) }) { registry, tokens, built in
                let ecrHost = "\(account).dkr.ecr.us-east-1.amazonaws.com:\(registry.port)"
                let reference = "\(ecrHost)/lab/fn:v1"
                let network = ["--plain-http", ecrHost, "--resolve", "\(ecrHost):127.0.0.1"]
                var xfn = try XfnProcess()
                try xfn.isolateCloudSettings()
                xfn.environment["AWS_ACCESS_KEY_ID"] = "AKIDXFNTEST"
                xfn.environment["AWS_SECRET_ACCESS_KEY"] = "xfn-secret-key"
                xfn.environment["AWS_ENDPOINT_URL"] = moto.endpoint
                let result = try await xfn.pull([reference], network + ["--verbose"])
                #expect(result.status == 0, "\(result.stderrText)")
                #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
                #expect(tokens.requests.contains { $0.username == "AWS" && $0.status == 200 })
                let output = result.stdoutText + result.stderrText
                #expect(!output.contains(password) && !output.contains("xfn-secret-key"))

                // Web identity: the token file is traded at STS (moto) for keys, then ECR as before.
                var federated = try XfnProcess()
                try federated.isolateCloudSettings()
                try federated.writeFile("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", to: "token/web-identity")
                federated.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = federated.home.appending("token/web-identity")
                federated.environment["AWS_ROLE_ARN"] = "arn:aws:iam::\(account):role/puller"
                federated.environment["AWS_ENDPOINT_URL"] = moto.endpoint
                let explain = try await federated.run(["auth", "explain", "--cache-dir", federated.cacheDirectory] + network + [reference])
                #expect(explain.status == 0, "\(explain.stdoutText)\(explain.stderrText)")
                #expect(explain.stdoutText.contains("sts:AssumeRoleWithWebIdentity for arn:aws:iam::\(account):role/puller"), "\(explain.stdoutText)")
                #expect(explain.stdoutText.contains("GetAuthorizationToken at \(moto.endpoint)"))
                #expect(explain.stdoutText.contains("outcome: resolved to \(built.manifestDigest)"))
                #expect(!explain.stdoutText.contains(password))
            }
        }
    }

    @Test func googleServiceAccountKeyFileThroughTheJWTExchange() async throws {
        let assertions = SharedList()
        try await StubServer.with(respond: { request in
            let form = FormDecoding.decode(String(decoding: request.body, as: UTF8.self))
            guard let assertion = form.first(where: { $0.name == "assertion" })?.value else { return .json(400, #"{"error":"invalid_request"}"#) }
            assertions.append(assertion)
            return .json(200, #"{"access_token":"ya29.integration","expires_in":3599,"token_type":"Bearer"}"#)
        }) { stub in
            try await withTokenRegistry({ $0 == .basic(username: "oauth2accesstoken", password: "ya29.integration") }) { registry, tokens, built in
                var xfn = try XfnProcess()
                try xfn.isolateCloudSettings()
                let keyDirectory = try TemporaryDirectory(prefix: "xfn-gkey")
                let pemPath = keyDirectory.appending("key.pem")
                try await ProcessRunner.runChecked("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", pemPath])
                try await ProcessRunner.runChecked("openssl", ["pkey", "-in", pemPath, "-pubout", "-out", keyDirectory.appending("pub.pem")])
                let key: Value = [
                    "type": "service_account", "client_email": "ci@proj.iam.gserviceaccount.com", "private_key_id": "k1",
                    "private_key": .string(try String(contentsOfFile: pemPath, encoding: .utf8)), "token_uri": .string(stub.baseURL + "/token"),
                ]
                let keyPath = try keyDirectory.write(ValueJSON.serialize(key), to: "sa.json")
                let googleHost = "europe-docker.pkg.dev:\(registry.port)"
                let reference = "\(googleHost)/lab/fn:v1"
                let network = ["--plain-http", googleHost, "--resolve", "\(googleHost):127.0.0.1"]
                let result = try await xfn.pull([reference], network + ["--gcp-key-file", keyPath])
                #expect(result.status == 0, "\(result.stderrText)")
                #expect(result.stdoutText == "\(reference)@\(built.manifestDigest)\n")
                #expect(tokens.requests.contains { $0.username == "oauth2accesstoken" && $0.status == 200 })
                // The assertion's signature checks out with the public key (openssl, not xfn).
                let jwt = try #require(assertions.values.first)
                let parts = jwt.split(separator: ".").map(String.init)
                func unbase64url(_ s: String) -> Data {
                    var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                    while t.count % 4 != 0 { t += "=" }
                    return Data(base64Encoded: t) ?? Data()
                }
                let input = try keyDirectory.write(parts[0] + "." + parts[1], to: "input")
                let signature = try keyDirectory.write(unbase64url(parts[2]), to: "sig")
                let verify = try await ProcessRunner.run("openssl", ["dgst", "-sha256", "-verify", keyDirectory.appending("pub.pem"), "-signature", signature, input])
                #expect(verify.status == 0, "\(verify.stdoutText)\(verify.stderrText)")

                // A key whose \n escapes became line breaks is refused before anything is sent.
                let mangled = try keyDirectory.write(ValueJSON.serialize(key).replacingOccurrences(of: "\\n", with: "\n"), to: "mangled.json")
                let before = assertions.values.count
                let refused = try await xfn.pull([reference], network + ["--gcp-key-file", mangled])
                #expect(refused.status == 3)
                #expect(refused.stderrText.contains("real line breaks"), "\(refused.stderrText)")
                #expect(assertions.values.count == before)
            }
        }
    }

    @Test func mangledJSONKeyInALoginFileIsExplainedWithoutARequest() async throws {
        try await withTokenRegistry({ _ in false }) { registry, tokens, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            let mangledKey = #"{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----"# +
                "\nMIIB\n" + #"-----END PRIVATE KEY-----\n"}"#
            try xfn.writeFile(#"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue("_json_key", mangledKey))"}}}"#, to: ".docker/config.json")
            let result = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(result.status == 3)
            #expect(result.stderrText.contains("real line breaks"), "\(result.stderrText)")
            #expect(result.stderrText.contains("sent nothing"))
            #expect(!tokens.requests.contains { $0.username == "_json_key" })
        }
    }

    @Test func loginVerifiesThenStoresAndLogoutRemoves() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "me", password: "right-pass") }) { registry, _, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            let config = xfn.home.appending(".docker/config.json")
            try xfn.writeFile(#"{"auths":{"ghcr.io":{"auth":"\#(basicAuthValue("keep", "me"))"}},"detachKeys":"ctrl-q"}"#, to: ".docker/config.json")
            let wrong = try await xfn.run(["login", "--plain-http", registry.host, "--username", "me", "--password-stdin", registry.host],
                                          input: Data("wrong-pass\n".utf8))
            #expect(wrong.status == 3)
            #expect(wrong.stderrText.contains("refused"), "\(wrong.stderrText)")
            #expect(!wrong.stderrText.contains("wrong-pass"))
            #expect(!(try String(contentsOfFile: config, encoding: .utf8)).contains(registry.host))

            let right = try await xfn.run(["login", "--plain-http", registry.host, "--username", "me", "--password-stdin", registry.host],
                                          input: Data("right-pass\n".utf8))
            #expect(right.status == 0, "\(right.stderrText)")
            #expect(right.stdoutText.contains("Login succeeded for \(registry.host)"))
            let saved = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: config)))
            #expect(saved["auths"]?[registry.host]?["auth"]?.stringValue == basicAuthValue("me", "right-pass"))
            #expect(saved["detachKeys"]?.stringValue == "ctrl-q")
            #expect(try FileManager.default.attributesOfItem(atPath: config)[.posixPermissions] as? Int == 0o600)
            let pulled = try await xfn.pull(["\(registry.host)/lab/fn:v1"], ["--plain-http", registry.host])
            #expect(pulled.status == 0, "\(pulled.stderrText)")

            let logout = try await xfn.run(["logout", registry.host])
            #expect(logout.status == 0)
            #expect(logout.stdoutText.contains("Removed the credential for \(registry.host)"))
            let after = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: config)))
            #expect(after["auths"]?[registry.host] == nil)
            #expect(after["auths"]?["ghcr.io"] != nil)
        }
    }

    @Test func loginAgainstABasicAuthRegistryWithAHelper() async throws {
        try await RegistryProcess.with(auth: .htpasswd(users: ["ci": "basic-pass"]), tls: true) { registry in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.trustCertificate(registry.caCertificatePath!, for: registry.host)
            // A file-backed helper as the store: the secret must go there, not into config.json.
            let helper = try xfn.home.write("""
                #!/bin/sh
                dir="$(dirname "$0")"
                case "$1" in
                  store) cat > "$dir/stored.json" ;;
                  get) if [ -f "$dir/stored.json" ]; then cat "$dir/stored.json"; else echo "credentials not found in native keychain"; exit 1; fi ;;
                  erase) rm -f "$dir/stored.json" ;;
                esac

                """, to: "bin/docker-credential-vault")
            chmod(helper, 0o755)
            try xfn.writeFile(#"{"credsStore":"vault"}"#, to: ".docker/config.json")
            let wrong = try await xfn.run(["login", "-u", "ci", "--password-stdin", registry.host], input: Data("nope\n".utf8))
            #expect(wrong.status == 3, "\(wrong.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: xfn.home.appending("bin/stored.json")))
            let right = try await xfn.run(["login", "-u", "ci", "--password-stdin", registry.host], input: Data("basic-pass\n".utf8))
            #expect(right.status == 0, "\(right.stderrText)")
            #expect(right.stdoutText.contains("docker-credential-vault"))
            let stored = try ValueJSON.parse(Data(contentsOf: URL(fileURLWithPath: xfn.home.appending("bin/stored.json"))))
            #expect(stored["Username"]?.stringValue == "ci" && stored["ServerURL"]?.stringValue == registry.host)
            #expect(try String(contentsOfFile: xfn.home.appending(".docker/config.json"), encoding: .utf8) == #"{"credsStore":"vault"}"#)
            let logout = try await xfn.run(["logout", registry.host])
            #expect(logout.stdoutText.contains("docker-credential-vault"), "\(logout.stdoutText)")
            #expect(!FileManager.default.fileExists(atPath: xfn.home.appending("bin/stored.json")))
        }
    }

    @Test func explainShowsChallengeTokenRequestAndHintForAFailure() async throws {
        try await withTokenRegistry({ $0 == .basic(username: "ci", password: "good") }) { registry, _, _ in
            var xfn = try XfnProcess()
            try xfn.isolateCloudSettings()
            try xfn.writeFile(#"{"auths":{"\#(registry.host)":{"auth":"\#(basicAuthValue("ci", "stale-secret"))"}}}"#, to: ".docker/config.json")
            let result = try await xfn.run(["auth", "explain", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                                            "\(registry.host)/lab/fn:v1"])
            let text = result.stdoutText
            #expect(result.status == 3)
            #expect(text.contains("✓ docker \(xfn.home.appending(".docker/config.json")): auths[\"\(registry.host)\"]: user 'ci'"), "\(text)")
            #expect(text.contains("WWW-Authenticate: Bearer realm="))
            #expect(text.contains("with Basic → HTTP 401, scopes=[repository:lab/fn:pull], user 'ci'"), "\(text)")
            #expect(text.contains("refused the request (HTTP 401)"))
            #expect(text.contains("hint: "))
            #expect(!text.contains("stale-secret") && !text.contains(basicAuthValue("ci", "stale-secret")))
        }
    }
}

final class SharedList: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ item: String) { lock.withLock { items.append(item) } }
    var values: [String] { lock.withLock { items } }
}
