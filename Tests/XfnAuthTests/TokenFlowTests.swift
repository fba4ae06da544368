import Foundation
import Testing
import XfnCore
import XfnHTTP
import XfnTestSupport
@testable import XfnAuth

@Suite(.serialized) struct TokenFlowTests {
    func challenge(_ server: TokenServer) -> AuthChallenge {
        AuthChallenge(scheme: "bearer", parameters: ["realm": server.realm, "service": server.service])
    }

    var http: HTTPClient { HTTPClient(settings: TransportSettings(environment: Environment([:]))) }

    @Test func jsonKeyAndBase64KeyReachTheTokenServerIntact() async throws {
        let key = try await TestGoogleKey.generate()
        try await TokenServer.with(policy: .onlyUser("_json_key", password: key.json)) { server in
            let tokens = TokenService(http: http)
            let credential = Credential(secret: .basic(username: "_json_key", password: key.json), source: "test")
            let token = try await tokens.token(registry: "us-docker.pkg.dev", challenge: challenge(server), scopes: ["repository:p/r:pull"],
                                               credential: credential, plainHTTP: true)
            #expect(!token.isEmpty)
            #expect(server.requests.last?.username == "_json_key")
            #expect(server.requests.last?.status == 200)
        }
        let encoded = Data(key.json.utf8).base64EncodedString()
        try await TokenServer.with(policy: .onlyUser("_json_key_base64", password: encoded)) { server in
            let tokens = TokenService(http: http)
            let credential = Credential(secret: .basic(username: "_json_key_base64", password: encoded), source: "test")
            _ = try await tokens.token(registry: "gcr.io", challenge: challenge(server), scopes: ["repository:p/r:pull"],
                                       credential: credential, plainHTTP: true)
            #expect(server.requests.last?.status == 200)
        }
    }

    @Test func mangledKeyFailsLocallyWithoutARequest() async throws {
        let key = try await TestGoogleKey.generate()
        let mangled = key.json.replacingOccurrences(of: "\\n", with: "\n")
        try await TokenServer.with(policy: .onlyUser("_json_key", password: key.json)) { server in
            let tokens = TokenService(http: http)
            let credential = Credential(secret: .basic(username: "_json_key", password: mangled), source: "containerd config.toml")
            let error = await #expect(throws: AuthError.self) {
                try await tokens.token(registry: "us-docker.pkg.dev", challenge: challenge(server), scopes: ["repository:p/r:pull"],
                                       credential: credential, plainHTTP: true)
            }
            #expect(error?.message.contains("containerd config.toml") == true)
            #expect(error?.message.contains("real line breaks") == true)
            #expect(error?.hint?.contains("sent nothing") == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func identityTokenUsesTheRefreshGrant() async throws {
        try await TokenServer.with(policy: .onlyRefreshToken("refresh-123")) { server in
            let tokens = TokenService(http: http)
            let credential = Credential(secret: .identityToken("refresh-123"), source: "test")
            _ = try await tokens.token(registry: "x.azurecr.io", challenge: challenge(server), scopes: ["repository:r:pull"],
                                       credential: credential, plainHTTP: true)
            #expect(server.requests.count == 1)
            #expect(server.requests[0].method == "POST")
            #expect(server.requests[0].grantType == "refresh_token")
            // Cached: the second ask sends nothing.
            _ = try await tokens.token(registry: "x.azurecr.io", challenge: challenge(server), scopes: ["repository:r:pull"],
                                       credential: credential, plainHTTP: true)
            #expect(server.requests.count == 1)
            let log = await tokens.exchanges
            #expect(log.count == 1 && log[0].contains("identity token") && !log[0].contains("refresh-123"))
        }
    }

    @Test func acrNullUserPasswordIsAnIdentityToken() async throws {
        let env = try AuthTestEnvironment()
        try env.write(#"{"auths":{"x.azurecr.io":{"auth":"\#(basicAuth(Credential.acrRefreshTokenUser, "acr-refresh"))"}}}"#, to: ".docker/config.json")
        #expect(await env.resolve("x.azurecr.io", "r").0?.secret == .identityToken("acr-refresh"))
    }

    @Test func passwordGrantOnlyWhenTheRealmRefusesGET() async throws {
        try await StubServer.with(respond: { request in
            if request.method == "GET" { return .text(405, "method not allowed") }
            let form = FormDecoding.decode(String(decoding: request.body, as: UTF8.self))
            let fields = Dictionary(form.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            guard fields["grant_type"] == "password", fields["username"] == "u", fields["password"] == "p" else { return .text(401, "no") }
            return .json(200, #"{"access_token":"post-token","expires_in":300}"#)
        }) { stub in
            let tokens = TokenService(http: http)
            let challenge = AuthChallenge(scheme: "bearer", parameters: ["realm": stub.baseURL + "/oauth2/token", "service": "svc"])
            let token = try await tokens.token(registry: "r.example", challenge: challenge, scopes: ["repository:a:pull"],
                                               credential: Credential(secret: .basic(username: "u", password: "p"), source: "t"), plainHTTP: true)
            #expect(token == "post-token")
            #expect(stub.requests.map(\.method) == ["GET", "POST"])
        }
    }

    @Test func issuedAtShortensTheCachedLifetime() async throws {
        let issued = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-100))
        try await StubServer.with(respond: { _ in .json(200, #"{"token":"t","expires_in":105,"issued_at":"\#(issued)"}"#) }) { stub in
            let tokens = TokenService(http: http)
            let challenge = AuthChallenge(scheme: "bearer", parameters: ["realm": stub.baseURL + "/token"])
            _ = try await tokens.token(registry: "r", challenge: challenge, scopes: [], credential: nil, plainHTTP: true)
            // 105 s from an issue 100 s ago leaves less than the 10 s margin: the next ask fetches again.
            _ = try await tokens.token(registry: "r", challenge: challenge, scopes: [], credential: nil, plainHTTP: true)
            #expect(stub.requests.count == 2)
        }
    }
}
