import Foundation
import Testing
import XfnCore
import XfnHTTP
import XfnTestSupport
@testable import XfnAuth

@Suite struct GoogleKeyValidationTests {
    @Test func validKeyPasses() async throws {
        let key = try await TestGoogleKey.generate()
        let parsed = try GoogleServiceAccountKey(json: key.json, origin: "test")
        #expect(parsed.clientEmail == "puller@proj.iam.gserviceaccount.com")
        #expect(parsed.privateKeyID == "kid-123")
        try GoogleServiceAccountKey.validate(username: "_json_key", password: key.json, origin: "test")
    }

    @Test func keyWhoseEscapesBecameLineBreaksGetsAPreciseError() async throws {
        let key = try await TestGoogleKey.generate()
        // What a TOML basic string or `echo -e` does to the file: every \n escape becomes a real newline.
        let mangled = key.json.replacingOccurrences(of: "\\n", with: "\n")
        let error = #expect(throws: GoogleKeyError.self) {
            try GoogleServiceAccountKey.validate(username: "_json_key", password: mangled, origin: "config.toml")
        }
        #expect(error?.problem.contains("contains real line breaks where the file has \\n escapes") == true, "\(error?.problem ?? "")")
        #expect(error?.problem.contains("_json_key_base64") == true)
    }

    @Test func doublyEscapedKeyIsNamed() async throws {
        let key = try await TestGoogleKey.generate()
        let doubled = key.json.replacingOccurrences(of: "\\n", with: "\\\\n")
        let error = #expect(throws: GoogleKeyError.self) { try GoogleServiceAccountKey(json: doubled, origin: "x") }
        #expect(error?.problem.contains("escaped twice") == true, "\(error?.problem ?? "")")
    }

    @Test func missingEmailAndAlteredKeyAreNamed() async throws {
        let key = try await TestGoogleKey.generate()
        let noEmail = key.json.replacingOccurrences(of: "\"client_email\"", with: "\"email\"")
        let first = #expect(throws: GoogleKeyError.self) { try GoogleServiceAccountKey(json: noEmail, origin: "x") }
        #expect(first?.problem.contains("no \"client_email\"") == true)
        // Flip characters inside the base64 body of the PEM: still PEM-shaped, no longer a key.
        let pem = try String(contentsOfFile: key.privateKeyPath, encoding: .utf8)
        let lines = pem.split(separator: "\n").map(String.init)
        var damagedLines = lines
        damagedLines[3] = String(lines[3].reversed())
        let damaged = key.json.replacingOccurrences(of: lines[3], with: damagedLines[3])
        let second = #expect(throws: GoogleKeyError.self) { try GoogleServiceAccountKey(json: damaged, origin: "x") }
        #expect(second?.problem.contains("the key text was altered") == true, "\(second?.problem ?? "")")
    }

    @Test func base64KeysMayBeWrappedButMustBeBase64() async throws {
        let key = try await TestGoogleKey.generate()
        let encoded = Data(key.json.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        #expect(encoded.contains("\n"))
        let parsed = try GoogleServiceAccountKey(base64: encoded, origin: "x")
        #expect(parsed.clientEmail.hasPrefix("puller@"))
        let error = #expect(throws: GoogleKeyError.self) {
            try GoogleServiceAccountKey.validate(username: "_json_key_base64", password: "{not base64}", origin: "x")
        }
        #expect(error?.problem.contains("base64 -w0") == true)
        // Putting the key JSON where an access token belongs is a user name mistake, said locally.
        #expect(throws: GoogleKeyError.self) { try GoogleServiceAccountKey.validate(username: "oauth2accesstoken", password: key.json, origin: "x") }
    }
}

@Suite(.serialized) struct GoogleTokenFlowTests {
    /// The service-account flow against a token endpoint that checks the RS256 signature with the key's
    /// public half (the openssl command line, independent of xfn's signing code).
    @Test func signedAssertionIsExchangedForAnAccessToken() async throws {
        let verified = LockedBox<[String]>([])
        let publicKey = LockedBox<String>("")
        try await StubServer.with(respond: { request in
            let form = FormDecoding.decode(String(decoding: request.body, as: UTF8.self))
            guard request.method == "POST", request.path == "/token",
                  form.first(where: { $0.name == "grant_type" })?.value == "urn:ietf:params:oauth:grant-type:jwt-bearer",
                  let assertion = form.first(where: { $0.name == "assertion" })?.value
            else { return .json(400, #"{"error":"invalid_request"}"#) }
            guard JWTCheck.verify(assertion, publicKeyPath: publicKey.value) else { return .json(400, #"{"error":"invalid_grant","error_description":"bad signature"}"#) }
            verified.mutate { $0.append(assertion) }
            return .json(200, #"{"access_token":"ya29.test-access","expires_in":3599,"token_type":"Bearer"}"#)
        }) { stub in
            let key = try await TestGoogleKey.generate(tokenURI: stub.baseURL + "/token")
            publicKey.mutate { $0 = key.publicKeyPath }
            let keyPath = try key.directory.write(key.json, to: "sa.json")
            let env = try AuthTestEnvironment()
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("europe-docker.pkg.dev", "proj/repo/fn", options: ResolverOptions(http: http, gcpKeyFile: keyPath))
            #expect(credential?.secret == .basic(username: "oauth2accesstoken", password: "ya29.test-access"), "\(trace.steps)")
            #expect(verified.value.count == 1)
            let claims = try JWTCheck.claims(verified.value[0])
            #expect(claims["iss"]?.stringValue == "puller@proj.iam.gserviceaccount.com")
            #expect(claims["aud"]?.stringValue == stub.baseURL + "/token")
            #expect(claims["scope"]?.stringValue == "https://www.googleapis.com/auth/cloud-platform")
            let iat = claims["iat"]?.intValue ?? 0, exp = claims["exp"]?.intValue ?? 0
            #expect(exp - iat == 3600)
            #expect(abs(Double(iat) - Date().timeIntervalSince1970) < 60)
            let header = try JWTCheck.header(verified.value[0])
            #expect(header["alg"]?.stringValue == "RS256" && header["kid"]?.stringValue == "kid-123")

            // The same key through GOOGLE_APPLICATION_CREDENTIALS applies to Google hosts only.
            var adc = env
            adc.variables["GOOGLE_APPLICATION_CREDENTIALS"] = keyPath
            #expect(await adc.resolve("gcr.io", "proj/fn", options: ResolverOptions(http: http)).0?.secret == .basic(username: "oauth2accesstoken", password: "ya29.test-access"))
            let (other, otherTrace) = await adc.resolve("ghcr.io", "o/fn", options: ResolverOptions(http: http))
            #expect(other == nil)
            #expect(!otherTrace.steps.contains { $0.source == "google" })
        }
    }

    @Test func metadataServerIsTheLastResortForGoogleHosts() async throws {
        try await StubServer.with(respond: { request in
            guard request.path == "/computeMetadata/v1/instance/service-accounts/default/token",
                  request.headers.first(where: { $0.name.lowercased() == "metadata-flavor" })?.value == "Google"
            else { return .text(404, "no") }
            return XfnTestSupport.HTTPResponse(status: 200, headers: [HTTPHeader(name: "Metadata-Flavor", value: "Google")],
                                               body: Array(#"{"access_token":"ya29.metadata","expires_in":3000}"#.utf8))
        }) { stub in
            var env = try AuthTestEnvironment()
            env.variables["GCE_METADATA_HOST"] = stub.host
            let http = HTTPClient(settings: TransportSettings(environment: env.environment))
            let (credential, trace) = await env.resolve("us-docker.pkg.dev", "p/r/i", options: ResolverOptions(http: http))
            #expect(credential?.secret == .basic(username: "oauth2accesstoken", password: "ya29.metadata"))
            #expect(trace.steps.contains { $0.detail.contains("metadata server \(stub.host)") })
            // A file login for the host wins and the metadata server is not asked.
            let before = stub.requests.count
            try env.write(#"{"auths":{"us-docker.pkg.dev":{"auth":"\#(basicAuth("oauth2accesstoken", "from-file"))"}}}"#, to: ".docker/config.json")
            #expect(await env.resolve("us-docker.pkg.dev", "p/r/i", options: ResolverOptions(http: http)).0?.secret == .basic(username: "oauth2accesstoken", password: "from-file"))
            #expect(stub.requests.count == before)
        }
    }
}

/// Checks JWTs with the openssl command line.
enum JWTCheck {
    static func verify(_ jwt: String, publicKeyPath: String) -> Bool {
        let parts = jwt.split(separator: ".").map(String.init)
        guard parts.count == 3, let signature = decode(parts[2]), let scratch = try? TemporaryDirectory(prefix: "xfn-jwt") else { return false }
        defer { scratch.remove() }
        guard let input = try? scratch.write(parts[0] + "." + parts[1], to: "input"), let sig = try? scratch.write(signature, to: "sig") else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? ProcessRunner.resolve("openssl")) ?? "/usr/bin/openssl")
        process.arguments = ["dgst", "-sha256", "-verify", publicKeyPath, "-signature", sig, input]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static func decode(_ part: String) -> Data? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Data(base64Encoded: text)
    }

    static func claims(_ jwt: String) throws -> Value { try ValueJSON.parse(decode(String(jwt.split(separator: ".")[1])) ?? Data()) }
    static func header(_ jwt: String) throws -> Value { try ValueJSON.parse(decode(String(jwt.split(separator: ".")[0])) ?? Data()) }
}

final class LockedBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T { lock.withLock { stored } }
    func mutate(_ change: (inout T) -> Void) { lock.withLock { change(&stored) } }
}
