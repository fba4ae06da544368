import Foundation
import Testing
import XfnCore
import XfnHTTP
import XfnTestSupport
@testable import XfnAuth

@Suite struct ECRHostTests {
    @Test func recognisesEveryPartitionAndForm() {
        let cases: [(String, String?, String, Bool)] = [
            ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "123456789012", "us-east-1", false),
            ("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "123456789012", "us-gov-west-1", true),
            ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1", false),
            ("123456789012.dkr-ecr.eu-west-1.on.aws", "123456789012", "eu-west-1", false),
            ("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "123456789012", "eusc-de-east-1", false),
            ("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "123456789012", "us-iso-east-1", false),
            ("123456789012.dkr.ecr.us-east-1.amazonaws.com:5443", "123456789012", "us-east-1", false),
            ("https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/", "123456789012", "us-east-1", false),
            ("public.ecr.aws", nil, "us-east-1", false),
        ]
        for (text, account, region, fips) in cases {
            let host = ECRHost(registry: text)
            #expect(host?.account == account, "\(text)")
            #expect(host?.region == region, "\(text)")
            #expect(host?.fips == fips, "\(text)")
        }
        for text in ["12345678901.dkr.ecr.us-east-1.amazonaws.com", "123456789012.dkr.ecr.us-east-1.example.com", "ghcr.io",
                     "123456789012.dkr.gcr.us-east-1.amazonaws.com"] {
            #expect(ECRHost(registry: text) == nil, "\(text)")
        }
    }

    @Test func apiEndpointsFollowTheHostAndTheOverrides() {
        let plain = ECRHost(registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com")!
        #expect(plain.apiEndpoint(environment: Environment([:])) == "https://api.ecr.eu-west-1.amazonaws.com/")
        #expect(ECRHost(registry: "123456789012.dkr.ecr-fips.us-east-1.amazonaws.com")!.apiEndpoint(environment: Environment([:]))
                == "https://ecr-fips.us-east-1.amazonaws.com/")
        #expect(ECRHost(registry: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn")!.apiEndpoint(environment: Environment([:]))
                == "https://api.ecr.cn-north-1.amazonaws.com.cn/")
        #expect(plain.apiEndpoint(environment: Environment(["AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_ECR": "http://b"])) == "http://b")
        #expect(plain.apiEndpoint(environment: Environment(["AWS_ENDPOINT_URL": "http://a"])) == "http://a")
    }
}

@Suite struct SigV4Tests {
    /// The signature botocore computes for the same request is the reference.
    @Test func matchesBotocore() async throws {
        let body = #"{"registryIds":["123456789012"]}"#
        let script = """
            import datetime, botocore.auth
            from botocore.awsrequest import AWSRequest
            from botocore.credentials import Credentials
            botocore.auth.get_current_datetime = lambda: datetime.datetime(2026, 1, 2, 3, 4, 5)
            request = AWSRequest(method="POST", url="https://api.ecr.us-west-2.amazonaws.com/", data=b'\(body)',
                headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"})
            botocore.auth.SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token"), "ecr", "us-west-2").add_auth(request)
            print(request.headers["Authorization"])
            """
        let reference = try await ProcessRunner.runChecked("python3", ["-c", script]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let signer = SigV4(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                       sessionToken: "session-token", source: "test"),
                           region: "us-west-2", service: "ecr")
        let date = DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                  year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5).date!
        let headers = signer.sign(method: "POST", url: URL(string: "https://api.ecr.us-west-2.amazonaws.com/")!,
                                  headers: [("Content-Type", "application/x-amz-json-1.1"),
                                            ("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")],
                                  body: Data(body.utf8), date: date)
        #expect(headers.first { $0.name == "Authorization" }?.value == reference)
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == "session-token")
    }
}

@Suite(.serialized) struct ECRSourceTests {
    /// A stand-in ECR API that records what it was sent and answers with a 12-hour token.
    func withECRAPI(_ body: (StubServer) async throws -> Void) async throws {
        try await StubServer.with(respond: { request in
            guard request.headers.contains(where: { $0.name.lowercased() == "authorization" && $0.value.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") }),
                  request.headers.first(where: { $0.name.lowercased() == "x-amz-target" })?.value == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
            else { return .json(400, #"{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}"#) }
            let expires = Date().timeIntervalSince1970 + 12 * 3600
            return .json(200, #"{"authorizationData":[{"authorizationToken":"\#(basicAuth("AWS", "ecr-password"))","expiresAt":\#(expires),"proxyEndpoint":"https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"}]}"#)
        }, body)
    }

    @Test func environmentKeysGetATokenThatIsCachedPrivately() async throws {
        try await withECRAPI { api in
            var env = try AuthTestEnvironment()
            env.variables["AWS_ACCESS_KEY_ID"] = "AKIDTEST"
            env.variables["AWS_SECRET_ACCESS_KEY"] = "secret-key"
            env.variables["AWS_ENDPOINT_URL_ECR"] = api.baseURL + "/"
            let cache = env.home.appending("cache")
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let options = ResolverOptions(http: http, cacheDirectory: cache)
            let registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
            let (credential, trace) = await env.resolve(registry, "fn", options: options)
            #expect(credential?.secret == .basic(username: "AWS", password: "ecr-password"), "\(trace.steps)")
            #expect(api.requests.count == 1)
            #expect(String(decoding: api.requests[0].body, as: UTF8.self) == #"{"registryIds":["123456789012"]}"#)
            let files = try FileManager.default.contentsOfDirectory(atPath: cache + "/auth")
            #expect(files.count == 1)
            let mode = try FileManager.default.attributesOfItem(atPath: cache + "/auth/" + files[0])[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // A second process would read the cache instead of calling the API.
            let (again, againTrace) = await env.resolve(registry, "fn", options: options)
            #expect(again?.secret == .basic(username: "AWS", password: "ecr-password"))
            #expect(api.requests.count == 1)
            #expect(againTrace.steps.contains { $0.detail.contains("cached ECR token") })
            // No secret in the trace.
            #expect(!(trace.steps + againTrace.steps).map(\.description).joined().contains("secret-key"))
            #expect(!(trace.steps + againTrace.steps).map(\.description).joined().contains("ecr-password"))
        }
    }

    @Test func profilesFromSharedFiles() async throws {
        try await withECRAPI { api in
            var env = try AuthTestEnvironment()
            try env.write("[default]\naws_access_key_id = WRONG\naws_secret_access_key = x\n\n[puller]\naws_access_key_id = AKIDTEST\naws_secret_access_key = s\n",
                          to: ".aws/credentials")
            try env.write("[profile puller]\nregion = eu-west-1\n", to: ".aws/config")
            env.variables["AWS_PROFILE"] = "puller"
            env.variables["AWS_ENDPOINT_URL"] = api.baseURL
            env.variables["AWS_EC2_METADATA_DISABLED"] = "true"
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "fn", options: ResolverOptions(http: http))
            #expect(credential?.secret == .basic(username: "AWS", password: "ecr-password"), "\(trace.steps)")
            #expect(trace.steps.contains { $0.detail.contains("profile puller") })
        }
    }

    @Test func apiErrorsAreQuotedExactly() async throws {
        try await withECRAPI { api in
            var env = try AuthTestEnvironment()
            env.variables["AWS_ACCESS_KEY_ID"] = "AKIDWRONG"
            env.variables["AWS_SECRET_ACCESS_KEY"] = "k"
            env.variables["AWS_ENDPOINT_URL_ECR"] = api.baseURL
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "fn", options: ResolverOptions(http: http))
            #expect(credential == nil)
            #expect(trace.steps.contains { $0.outcome == .failed && $0.detail.contains("UnrecognizedClientException: The security token included in the request is invalid.") })
        }
    }

    @Test func withoutKeysTheHelperIsTheFallback() async throws {
        var env = try AuthTestEnvironment()
        env.variables["AWS_EC2_METADATA_DISABLED"] = "true"
        env.variables["AWS_SHARED_CREDENTIALS_FILE"] = env.home.appending("none")
        try env.writeGetHelper("ecr-login", serverURL: "123456789012.dkr.ecr.us-east-1.amazonaws.com", username: "AWS", secret: "from-helper")
        let http = HTTPClient(settings: TransportSettings(environment: env.environment))
        let (credential, trace) = await env.resolve("123456789012.dkr.ecr.us-east-1.amazonaws.com", "fn", options: ResolverOptions(http: http))
        #expect(credential?.secret == .basic(username: "AWS", password: "from-helper"), "\(trace.steps)")
    }

    @Test func halfLifeDecidesFreshness() {
        let issued = Date(timeIntervalSince1970: 1_000_000)
        let token = ECRCredentialSource.Token(username: "AWS", password: "p", issuedAt: issued, expiresAt: issued.addingTimeInterval(12 * 3600))
        #expect(ECRCredentialSource.isFresh(token, now: issued.addingTimeInterval(5 * 3600)))
        #expect(!ECRCredentialSource.isFresh(token, now: issued.addingTimeInterval(7 * 3600)))
    }
}

@Suite struct ContainerdConfigTests {
    @Test func readsCRIRegistryAuth() async throws {
        let env = try AuthTestEnvironment()
        let path = try env.write(#"""
            version = 2
            # CRI plugin
            [plugins."io.containerd.grpc.v1.cri".registry]
              config_path = ""
            [plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example:5000".auth]
              username = "robot$puller"
              password = 'p@ss"word'
            [plugins."io.containerd.grpc.v1.cri".registry.configs."gcr.io".auth]
              auth = "\#(basicAuth("u", "from-auth"))"
            [plugins."io.containerd.cri.v1.images".registry.configs."x.azurecr.io".auth]
              identitytoken = "refresh"
            """#, to: "config.toml")
        let source = ContainerdConfigSource(path: path)
        var trace = AuthTrace()
        #expect(await source.credential(registry: "registry.example:5000", repository: "a", trace: &trace)?.secret
                == .basic(username: "robot$puller", password: #"p@ss"word"#))
        #expect(await source.credential(registry: "gcr.io", repository: "a", trace: &trace)?.secret == .basic(username: "u", password: "from-auth"))
        #expect(await source.credential(registry: "x.azurecr.io", repository: "a", trace: &trace)?.secret == .identityToken("refresh"))
        #expect(await source.credential(registry: "quay.io", repository: "a", trace: &trace) == nil)
        #expect(trace.steps.contains { $0.outcome == .matched && $0.detail.contains(#"configs."registry.example:5000""#) })
    }

    @Test func basicStringEscapesAreApplied() throws {
        let values = try TOMLSubset.parse(#"a."b.c".d = "x\ny\u0041""#)
        #expect(values[["a", "b.c", "d"]] == "x\nyA")
        #expect(throws: TOMLSubset.SyntaxError.self) { try TOMLSubset.parse(#"k = "unterminated"#) }
    }
}

@Suite struct ECRCLIFallbackTests {
    @Test func awsCLIAnswersWhenNoKeysAndNoHelper() async throws {
        var env = try AuthTestEnvironment()
        env.variables["AWS_EC2_METADATA_DISABLED"] = "true"
        env.variables["AWS_SHARED_CREDENTIALS_FILE"] = env.home.appending("none")
        env.variables["AWS_CONFIG_FILE"] = env.home.appending("none")
        let aws = try env.write("""
            #!/bin/sh
            [ "$*" = "ecr get-login-password --region ap-southeast-2" ] || { echo "unexpected: $*" >&2; exit 2; }
            echo cli-password
            """, to: "bin/aws")
        chmod(aws, 0o755)
        let http = HTTPClient(settings: TransportSettings(environment: env.environment))
        let (credential, trace) = await env.resolve("123456789012.dkr.ecr.ap-southeast-2.amazonaws.com", "fn", options: ResolverOptions(http: http))
        #expect(credential?.secret == .basic(username: "AWS", password: "cli-password"), "\(trace.steps)")
        #expect(trace.steps.contains { $0.detail.contains("docker-credential-ecr-login is not on PATH") })
        #expect(trace.steps.contains { $0.detail.contains("aws ecr get-login-password --region ap-southeast-2 → exit 0") })
    }
}

@Suite struct ECRPublicTests {
    @Test func publicRegistryWithoutKeysGoesAnonymousWithoutInstanceLookups() async throws {
        try await StubServer.with(respond: { _ in .text(500, "must not be asked") }) { metadata in
            var env = try AuthTestEnvironment()
            env.variables["AWS_SHARED_CREDENTIALS_FILE"] = env.home.appending("none")
            env.variables["AWS_CONFIG_FILE"] = env.home.appending("none")
            env.variables["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.baseURL
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("public.ecr.aws", "crossplane/fn", options: ResolverOptions(http: http))
            #expect(credential == nil)
            #expect(metadata.requests.isEmpty, "the instance metadata service was asked")
            #expect(trace.steps.contains { $0.detail.contains("public.ecr.aws images pull anonymously") })
        }
    }
}
