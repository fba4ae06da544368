import Foundation
import Testing
import XfnCore
import XfnTestSupport

@Suite("Token server")
struct TokenServerTests {
    @Test("a token-auth registry accepts skopeo with the accepted user and rejects a wrong password")
    func tokenRegistryWithSkopeo() async throws {
        try await TemporaryDirectory.with { scratch in
            let builder = try OCIImageBuilder(layoutPath: scratch.appending("layout"))
            try builder.addImage(TestImage(layers: [.random(size: 1500)]), tag: "v1")
            try await TokenServer.with(policy: .users(["xfn": "s3cret"], anonymousPullPrefixes: ["public/"])) { tokens in
                try await RegistryProcess.with(auth: .token(tokens)) { registry in
                    let good = RegistryCredentials(username: "xfn", password: "s3cret")
                    try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/tok", creds: good)
                    let pushes = tokens.requests.filter { $0.scopes.contains { $0.hasPrefix("repository:lab/tok:") } }
                    #expect(!pushes.isEmpty)
                    #expect(pushes.allSatisfy { $0.username == "xfn" && $0.hadAuthorization && $0.status == 200 })
                    #expect(pushes.contains { $0.granted.contains { $0.actions.contains("push") } })

                    tokens.clearRequests()
                    let bad = RegistryCredentials(username: "xfn", password: "nope")
                    await #expect(throws: CommandFailed.self) {
                        try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "lab/tok2", creds: bad)
                    }
                    #expect(tokens.requests.contains { $0.username == "xfn" && $0.status == 401 })

                    // Anonymous callers get a token without rights, which the registry refuses.
                    await #expect(throws: CommandFailed.self) {
                        try await Skopeo.inspect("\(registry.host)/lab/tok:v1", transport: .to(registry))
                    }
                }
            }
        }
    }

    @Test("issued tokens carry the requested access, the service as audience and the libtrust kid")
    func tokenContents() async throws {
        try await TokenServer.with(policy: .users(["xfn": "s3cret"], anonymousPullPrefixes: ["public/"])) { tokens in
            try await RegistryProcess.with(auth: .token(tokens)) { registry in
                let url = "\(tokens.realm)?service=\(tokens.service)&scope=repository:lab/a:pull,push&scope=repository:public/b:pull"
                let answer = try ValueJSON.parse(try await curlBody(["-u", "xfn:s3cret", url]))
                let token = try #require(answer["token"]?.stringValue)
                #expect(answer["access_token"]?.stringValue == token)
                #expect(answer["expires_in"] == 300)
                let claims = try TokenServer.claims(of: token)
                #expect(claims["aud"]?.stringValue == tokens.service)
                #expect(claims["iss"]?.stringValue == tokens.issuer)
                #expect(claims["sub"] == "xfn")
                let access = try #require(claims["access"]?.arrayValue)
                #expect(access.count == 2)
                #expect(access[0]["actions"] == ["pull", "push"])
                let header = try ValueJSON.parse(Data(base64URL(String(token.split(separator: ".")[0]))))
                #expect(header["kid"]?.stringValue == tokens.keyID)
                #expect(tokens.keyID.split(separator: ":").count == 12)

                // The registry verifies the signature: the bearer token opens /v2/, a forged one does not.
                #expect(try await curlStatus(["-H", "Authorization: Bearer \(token)", "\(registry.baseURL)/v2/"]) == "200")
                #expect(try await curlStatus(["-H", "Authorization: Bearer \(token)x", "\(registry.baseURL)/v2/"]) == "401")

                // Anonymous: pull on public/ only.
                let anonymous = try ValueJSON.parse(try await curlBody([url]))
                let anonymousAccess = try TokenServer.claims(of: try #require(anonymous["token"]?.stringValue))["access"]
                #expect(anonymousAccess?.arrayValue?[0]["actions"] == [])
                #expect(anonymousAccess?.arrayValue?[1]["actions"] == ["pull"])
                #expect(tokens.requests.last?.hadAuthorization == false)
                #expect(tokens.requests.last?.scopes == ["repository:lab/a:pull,push", "repository:public/b:pull"])
            }
        }
    }

    @Test("a key loaded from PEM signs tokens whose kid matches an independent libtrust computation")
    func loadedKey() async throws {
        try await TemporaryDirectory.with { scratch in
            let key = scratch.appending("k.pem")
            let cert = scratch.appending("k.crt")
            try await ProcessRunner.runChecked("openssl", [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", key, "-out", cert,
                "-subj", "/CN=loaded",
            ])
            let script = "openssl pkey -in \"$1\" -pubout -outform DER | openssl dgst -sha256 -binary | head -c 30 | base32 -w0"
            let encoded = try await ProcessRunner.runChecked("sh", ["-c", script, "sh", key]).stdoutText
                .replacingOccurrences(of: "=", with: "")
            var groups: [String] = []
            var rest = Substring(encoded)
            while !rest.isEmpty {
                groups.append(String(rest.prefix(4)))
                rest = rest.dropFirst(4)
            }
            try await TokenServer.with(policy: .users(["u": "p"]), signingKey: (key, cert)) { tokens in
                #expect(tokens.keyID == groups.joined(separator: ":"))
                #expect(tokens.certificatePath == cert)
                try await RegistryProcess.with(auth: .token(tokens)) { registry in
                    let answer = try ValueJSON.parse(try await curlBody(["-u", "u:p", "\(tokens.realm)?service=\(tokens.service)"]))
                    let token = try #require(answer["token"]?.stringValue)
                    #expect(try await curlStatus(["-H", "Authorization: Bearer \(token)", "\(registry.baseURL)/v2/"]) == "200")
                }
            }
            #expect(FileManager.default.fileExists(atPath: key), "a loaded key is the caller's and stays")
        }
    }

    @Test("the OAuth2 endpoint answers 404 when off and honours the refresh-token policy when on")
    func oauth() async throws {
        try await TokenServer.with(policy: .users(["xfn": "s3cret"])) { tokens in
            let form = "grant_type=password&username=xfn&password=s3cret&service=\(tokens.service)&client_id=xfn&scope=repository:lab/a:pull"
            #expect(try await curlStatus(["-d", form, tokens.realm]) == "404")

            tokens.policy = .onlyRefreshToken("R-123")
            let refresh = "grant_type=refresh_token&refresh_token=R-123&service=\(tokens.service)&client_id=xfn&scope=repository:lab/a:pull%20repository:lab/b:push"
            let answer = try ValueJSON.parse(try await curlBody(["-d", refresh, tokens.realm]))
            #expect(answer["refresh_token"] == "R-123")
            let claims = try TokenServer.claims(of: try #require(answer["access_token"]?.stringValue))
            #expect(claims["access"]?.arrayValue?.count == 2)
            #expect(tokens.requests.last?.grantType == "refresh_token")
            #expect(tokens.requests.last?.form.contains(QueryItem(name: "refresh_token", value: "<redacted>")) == true)

            #expect(try await curlStatus(["-d", refresh.replacingOccurrences(of: "R-123", with: "R-999"), tokens.realm]) == "401")
            #expect(try await curlStatus(["-d", form, tokens.realm]) == "401")

            tokens.policy = .onlyUser("_json_key", password: #"{"type":"service_account"}"#)
            #expect(try await curlStatus(["-u", #"_json_key:{"type":"service_account"}"#, tokens.realm]) == "200")
            #expect(try await curlStatus(["-u", "_json_key:other", tokens.realm]) == "401")
            #expect(try await curlStatus([tokens.realm]) == "401")
        }
    }
}

func curlBody(_ arguments: [String]) async throws -> Data {
    try await ProcessRunner.runChecked("curl", ["-sS", "--fail", "--max-time", "10"] + arguments, timeout: .seconds(20)).stdout
}

func base64URL(_ text: String) -> [UInt8] {
    var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while standard.count % 4 != 0 { standard += "=" }
    return Array(Data(base64Encoded: standard) ?? Data())
}
