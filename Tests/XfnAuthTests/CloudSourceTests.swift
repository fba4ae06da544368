import Foundation
import Testing
import XfnCore
import XfnHTTP
import XfnTestSupport
@testable import XfnAuth

@Suite(.serialized) struct CloudSourceTests {
    static let keys = #"{"AccessKeyId":"AKIDTEMP","SecretAccessKey":"temp-secret","Token":"temp-session","Expiration":"2099-01-01T00:00:00Z"}"#

    @Test func containerCredentialsEndpointWithAuthorizationToken() async throws {
        try await StubServer.with(respond: { request in
            guard request.path == "/creds", request.headers.contains(where: { $0.name.lowercased() == "authorization" && $0.value == "ecs-token" }) else {
                return .text(401, "no")
            }
            return .json(200, Self.keys)
        }) { stub in
            var env = try AuthTestEnvironment()
            env.variables["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = stub.baseURL + "/creds"
            env.variables["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "ecs-token"
            let chain = AWSCredentialChain(environment: env.environment, http: HTTPClient(settings: TransportSettings(environment: env.environment)))
            var trace = AuthTrace()
            let found = await chain.resolve(region: "us-east-1", trace: &trace)
            #expect(found?.accessKeyID == "AKIDTEMP" && found?.sessionToken == "temp-session")
            #expect(trace.steps.last?.detail == "container credentials endpoint")
        }
    }

    @Test func instanceMetadataVersionTwo() async throws {
        try await StubServer.with(respond: { request in
            let session = request.headers.first { $0.name.lowercased() == "x-aws-ec2-metadata-token" }?.value
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"): return .text(200, "imds-session")
            case ("GET", "/latest/meta-data/iam/security-credentials/") where session == "imds-session": return .text(200, "node-role")
            case ("GET", "/latest/meta-data/iam/security-credentials/node-role") where session == "imds-session": return .json(200, Self.keys)
            default: return .text(401, "IMDSv1 is disabled")
            }
        }) { stub in
            var env = try AuthTestEnvironment()
            env.variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = stub.baseURL
            env.variables["AWS_SHARED_CREDENTIALS_FILE"] = env.home.appending("none")
            let chain = AWSCredentialChain(environment: env.environment, http: HTTPClient(settings: TransportSettings(environment: env.environment)))
            var trace = AuthTrace()
            let found = await chain.resolve(region: "us-east-1", trace: &trace)
            #expect(found?.accessKeyID == "AKIDTEMP", "\(trace.steps)")
            #expect(found?.source == "instance role node-role")
        }
    }

    @Test func credentialProcessFromAProfile() async throws {
        var env = try AuthTestEnvironment()
        let script = try env.write("#!/bin/sh\necho '{\"Version\":1,\"AccessKeyId\":\"AKIDPROC\",\"SecretAccessKey\":\"s\"}'\n", to: "bin/creds")
        chmod(script, 0o755)
        try env.write("[profile tool]\ncredential_process = \(script)\n", to: ".aws/config")
        env.variables["AWS_PROFILE"] = "tool"
        let chain = AWSCredentialChain(environment: env.environment, http: HTTPClient(settings: TransportSettings(environment: env.environment)))
        var trace = AuthTrace()
        #expect(await chain.resolve(region: "us-east-1", trace: &trace)?.accessKeyID == "AKIDPROC")
    }

    @Test func azureCLIRefreshTokenBecomesAnIdentityToken() async throws {
        let env = try AuthTestEnvironment()
        let az = try env.write("""
            #!/bin/sh
            [ "$1 $2 $3 $4 $5" = "acr login --name myreg --expose-token" ] || { echo "unexpected: $*" >&2; exit 2; }
            echo '{"accessToken":"acr-refresh-from-az","loginServer":"myreg.azurecr.io"}'
            """, to: "bin/az")
        chmod(az, 0o755)
        let (credential, trace) = await env.resolve("myreg.azurecr.io", "fn")
        #expect(credential?.secret == .identityToken("acr-refresh-from-az"), "\(trace.steps)")
    }

    @Test func githubTokenForGHCR() async throws {
        var env = try AuthTestEnvironment()
        env.variables["GITHUB_TOKEN"] = "ghs_x"
        env.variables["GITHUB_ACTOR"] = "octocat"
        #expect(await env.resolve("ghcr.io", "o/r").0?.secret == .basic(username: "octocat", password: "ghs_x"))
        #expect(await env.resolve("quay.io", "o/r").0 == nil)
    }

    @Test func hintsFollowTheRegistryAndWhatWasSent() {
        var staleFile = AuthTrace()
        staleFile.record("docker ~/.docker/config.json", .matched, "auths[\"x\"]: user 'AWS' (ECR authorization token)")
        let ecr = RegistryHints.hint(for: "123456789012.dkr.ecr.eu-west-1.amazonaws.com", trace: staleFile)
        #expect(ecr.contains("12 hours") && ecr.contains("123456789012") && ecr.contains("eu-west-1"))
        let ecrAnonymous = RegistryHints.hint(for: "123456789012.dkr.ecr.eu-west-1.amazonaws.com:5000", trace: AuthTrace())
        #expect(ecrAnonymous.contains("get-login-password --region eu-west-1"))

        var wrongUser = AuthTrace()
        wrongUser.record("docker", .matched, "auths[\"gcr.io\"]: user 'admin'")
        #expect(RegistryHints.hint(for: "europe-docker.pkg.dev", trace: wrongUser).contains("accept only the user names _json_key"))
        var key = AuthTrace()
        key.record("docker", .matched, "auths[\"gcr.io\"]: user '_json_key' (Google service-account key JSON)")
        #expect(RegistryHints.hint(for: "gcr.io", trace: key).contains("roles/artifactregistry.reader"))
        var acr = AuthTrace()
        acr.record("docker", .matched, "auths[\"r.azurecr.io\"]: identity token")
        #expect(RegistryHints.hint(for: "r.azurecr.io", trace: acr).contains("az acr login --name r --expose-token"))
        #expect(RegistryHints.hint(for: "docker.io", trace: nil).contains("private and for non-existent"))
    }
}

@Suite(.serialized) struct StaleAndRefreshTests {
    func ecrPassword(expiresIn seconds: TimeInterval) -> String {
        let envelope = #"{"payload":"opaque","datakey":"opaque","version":"2","type":"DATA_KEY","expiration":\#(Int(Date().timeIntervalSince1970 + seconds))}"#
        return Data(envelope.utf8).base64EncodedString()
    }

    @Test func expiredECRLoginIsSkippedAndNamed() async throws {
        var env = try AuthTestEnvironment()
        let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
        try env.write(#"{"auths":{"\#(host)":{"auth":"\#(basicAuth("AWS", ecrPassword(expiresIn: -3600)))"}}}"#, to: ".docker/config.json")
        try env.write(#"{"auths":{"\#(host)":{"auth":"\#(basicAuth("AWS", ecrPassword(expiresIn: 3600)))"}}}"#, to: "other.json")
        let (none, trace) = await env.resolve(host, "fn")
        #expect(none == nil)
        #expect(trace.steps.contains { $0.outcome == .failed && $0.detail.contains("expired at") })
        env.variables["DOCKER_CONFIG"] = env.home.appending("fresh")
        try env.write(#"{"auths":{"\#(host)":{"auth":"\#(basicAuth("AWS", ecrPassword(expiresIn: 3600)))"}}}"#, to: "fresh/config.json")
        #expect(await env.resolve(host, "fn").0 != nil)
    }

    @Test func authorizedUserFileIsRefreshedOnceAndReused() async throws {
        try await StubServer.with(respond: { request in
            let form = Dictionary(FormDecoding.decode(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            guard form["grant_type"] == "refresh_token", form["refresh_token"] == "1//refresh", form["client_id"] == "cid", form["client_secret"] == "csecret" else {
                return .json(400, #"{"error":"invalid_grant"}"#)
            }
            return .json(200, #"{"access_token":"ya29.user","expires_in":3599}"#)
        }) { stub in
            let env = try AuthTestEnvironment()
            let path = try env.write(#"{"type":"authorized_user","client_id":"cid","client_secret":"csecret","refresh_token":"1//refresh","token_uri":"\#(stub.baseURL)/token"}"#,
                                     to: ".config/gcloud/application_default_credentials.json")
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("us-docker.pkg.dev", "p/r/i", options: ResolverOptions(http: http))
            #expect(credential?.secret == .basic(username: "oauth2accesstoken", password: "ya29.user"), "\(trace.steps)")
            #expect(trace.steps.contains { $0.detail.contains("gcloud application-default \(path)") })
            _ = await env.resolve("us-docker.pkg.dev", "p/r/other", options: ResolverOptions(http: http))
            #expect(stub.requests.count == 1)
        }
    }
}

@Suite(.serialized) struct AzureIdentityTests {
    @Test func workloadIdentityIsExchangedForAnACRRefreshToken() async throws {
        try await StubServer.with(respond: { request in
            let form = Dictionary(FormDecoding.decode(String(decoding: request.body, as: UTF8.self)).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            switch request.path {
            case "/tenant-1/oauth2/v2.0/token":
                guard form["client_assertion"] == "federated-jwt", form["client_id"] == "app-1",
                      form["scope"] == "https://containerregistry.azure.net/.default" else { return .json(400, #"{"error":"invalid_client"}"#) }
                return .json(200, #"{"access_token":"entra-access","expires_in":3600}"#)
            case "/oauth2/exchange":
                guard form["grant_type"] == "access_token", form["access_token"] == "entra-access", form["tenant"] == "tenant-1",
                      form["service"] == "myreg.azurecr.io" else { return .json(401, #"{"errors":[]}"#) }
                return .json(200, #"{"refresh_token":"acr-refresh"}"#)
            default:
                return .text(404, "no")
            }
        }) { stub in
            var env = try AuthTestEnvironment()
            env.variables["AZURE_TENANT_ID"] = "tenant-1"
            env.variables["AZURE_CLIENT_ID"] = "app-1"
            env.variables["AZURE_FEDERATED_TOKEN_FILE"] = try env.write("federated-jwt\n", to: "token")
            env.variables["AZURE_AUTHORITY_HOST"] = stub.baseURL
            let registry = "myreg.azurecr.io:\(stub.port)"
            var settings = TransportSettings(environment: env.environment)
            settings.resolve = ["\(registry):127.0.0.1"]
            let http = HTTPClient(settings: settings)
            let (credential, trace) = await env.resolve(registry, "fn", options: ResolverOptions(http: http, plainHTTPHosts: [registry]))
            #expect(credential?.secret == .identityToken("acr-refresh"), "\(trace.steps)")
            #expect(!trace.steps.map(\.description).joined().contains("federated-jwt"))
        }
    }
}
