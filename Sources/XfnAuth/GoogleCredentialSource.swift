import Foundation
import XfnCore
import XfnHTTP

/// Google Artifact Registry and gcr.io hosts.
public enum GoogleHost {
    public static func matches(_ registry: String) -> Bool {
        let host = registry.lowercased().split(separator: ":").first.map(String.init) ?? ""
        return host == "gcr.io" || host.hasSuffix(".gcr.io") || host.hasSuffix(".pkg.dev")
    }
}

/// Application Default Credentials turned into an OAuth2 access token, presented to the registry as
/// `oauth2accesstoken`: a key file named with --gcp-key-file (any registry), then for Google hosts
/// `$GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application-default file and, last, the metadata server.
public struct GoogleCredentialSource: CredentialSource {
    let environment: Environment
    let http: HTTPClient
    let explicitKeyFile: String?

    public init(environment: Environment, http: HTTPClient, explicitKeyFile: String? = nil) {
        self.environment = environment
        self.http = http
        self.explicitKeyFile = explicitKeyFile
    }

    public var name: String { "google" }

    static let scope = "https://www.googleapis.com/auth/cloud-platform"

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        if let explicitKeyFile {
            return await fromFile(explicitKeyFile, label: "--gcp-key-file", trace: &trace)
        }
        guard GoogleHost.matches(registry) else { return nil }
        if let path = environment["GOOGLE_APPLICATION_CREDENTIALS"] {
            return await fromFile(path, label: "$GOOGLE_APPLICATION_CREDENTIALS", trace: &trace)
        }
        trace.record(name, .noMatch, "$GOOGLE_APPLICATION_CREDENTIALS is not set")
        let gcloudDirectory = environment["CLOUDSDK_CONFIG"] ?? environment.configHome + "/gcloud"
        let adc = gcloudDirectory + "/application_default_credentials.json"
        if FileManager.default.fileExists(atPath: adc) {
            return await fromFile(adc, label: "gcloud application-default", trace: &trace)
        }
        trace.record(name, .noMatch, "\(adc) does not exist")
        return await fromMetadataServer(trace: &trace)
    }

    private func fromFile(_ path: String, label: String, trace: inout AuthTrace) async -> Credential? {
        let origin = "\(label) \(path)"
        guard let data = FileManager.default.contents(atPath: path) else {
            trace.record(name, .failed, "\(origin) cannot be read")
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        let type = (try? ValueJSON.parse(text))?["type"]?.stringValue
        do {
            let token: AccessToken
            let cacheKey = SHA256Hasher.digest(text).hex
            if let cached = await GoogleTokenCache.shared.token(for: cacheKey) {
                token = cached
                trace.record(name, .matched, "\(origin): access token obtained earlier in this run")
            } else {
                switch type {
                case "authorized_user":
                    token = try await refreshAuthorizedUser(text)
                    trace.record(name, .matched, "\(origin): authorized_user refresh token exchanged for an access token")
                default:
                    let key = try GoogleServiceAccountKey(json: text, origin: origin)
                    token = try await exchange(key: key)
                    trace.record(name, .matched, "\(origin): service account \(key.clientEmail), signed JWT exchanged at \(key.tokenURI)")
                }
                await GoogleTokenCache.shared.store(token, for: cacheKey)
            }
            return Credential(secret: .basic(username: "oauth2accesstoken", password: token.value), source: origin)
        } catch let error as GoogleKeyError {
            trace.record(name, .failed, error.message)
        } catch {
            trace.record(name, .failed, "\(origin): \(error)")
        }
        return nil
    }

    struct AccessToken: Sendable {
        let value: String
        let expiresIn: Int
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The JWT-bearer grant: a one-hour assertion signed with the key, traded for an access token.
    func exchange(key: GoogleServiceAccountKey, now: Date = Date()) async throws -> AccessToken {
        let assertion = try Self.assertion(key: key, now: now)
        let body = "grant_type=" + TokenService.formEncode("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + assertion
        return try await postForm(key.tokenURI, body: body)
    }

    static func assertion(key: GoogleServiceAccountKey, now: Date) throws -> String {
        let header: Value = key.privateKeyID.map { ["alg": "RS256", "typ": "JWT", "kid": .string($0)] } ?? ["alg": "RS256", "typ": "JWT"]
        // Issued ten seconds early so a slightly fast clock on the other side does not reject it.
        let issued = Int64(now.timeIntervalSince1970) - 10
        let claims: Value = [
            "iss": .string(key.clientEmail), "scope": .string(scope), "aud": .string(key.tokenURI),
            "iat": .int(issued), "exp": .int(issued + 3600),
        ]
        let signingInput = Crypto.base64URL(Data(ValueJSON.serialize(header).utf8)) + "." + Crypto.base64URL(Data(ValueJSON.serialize(claims).utf8))
        let signature = try RSASigner(pem: key.privateKeyPEM).sign(Data(signingInput.utf8))
        return signingInput + "." + Crypto.base64URL(signature)
    }

    private func refreshAuthorizedUser(_ text: String) async throws -> AccessToken {
        let document = try ValueJSON.parse(text)
        guard let clientID = document["client_id"]?.stringValue, let secret = document["client_secret"]?.stringValue,
              let refresh = document["refresh_token"]?.stringValue
        else { throw Failure(description: "the authorized_user file lacks client_id, client_secret or refresh_token") }
        let uri = document["token_uri"]?.stringValue ?? GoogleServiceAccountKey.defaultTokenURI
        let body = [("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", secret), ("refresh_token", refresh)]
            .map { "\($0.0)=\(TokenService.formEncode($0.1))" }.joined(separator: "&")
        return try await postForm(uri, body: body)
    }

    private func postForm(_ url: String, body: String) async throws -> AccessToken {
        let response = try await http.send(
            HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8),
                        timeout: .seconds(30)), bodyLimit: 64 << 10)
        let document = try? ValueJSON.parse(response.body)
        guard response.isSuccess else {
            let reason = [document?["error"]?.stringValue, document?["error_description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            throw Failure(description: "\(url) answered HTTP \(response.status)\(reason.isEmpty ? "" : " (\(reason))")")
        }
        guard let token = document?["access_token"]?.stringValue, !token.isEmpty else {
            throw Failure(description: "\(url) answered without an access_token")
        }
        return AccessToken(value: token, expiresIn: Int(document?["expires_in"]?.intValue ?? 3600))
    }

    private func fromMetadataServer(trace: inout AuthTrace) async -> Credential? {
        let host = environment["GCE_METADATA_HOST"] ?? "metadata.google.internal"
        let url = "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token"
        do {
            let response = try await http.send(HTTPRequest(url: url, headers: [("Metadata-Flavor", "Google")], timeout: .seconds(3)), bodyLimit: 64 << 10)
            guard response.isSuccess, response.headers["Metadata-Flavor"] == "Google",
                  let token = (try? ValueJSON.parse(response.body))?["access_token"]?.stringValue
            else {
                trace.record(name, .noMatch, "metadata server \(host) answered HTTP \(response.status) without a token")
                return nil
            }
            trace.record(name, .matched, "metadata server \(host): default service account access token")
            return Credential(secret: .basic(username: "oauth2accesstoken", password: token), source: "metadata server \(host)")
        } catch {
            trace.record(name, .noMatch, "metadata server \(host) not reachable (not on Google Cloud)")
            return nil
        }
    }
}

/// Access tokens already obtained in this process, by key file content, so pulling several images
/// from Google registries exchanges each key once; tokens are dropped 225 s before they expire, as
/// Google's own libraries do.
actor GoogleTokenCache {
    static let shared = GoogleTokenCache()
    private var tokens: [String: (token: GoogleCredentialSource.AccessToken, until: ContinuousClock.Instant)] = [:]

    func token(for key: String) -> GoogleCredentialSource.AccessToken? {
        guard let entry = tokens[key], entry.until > .now else { return nil }
        return entry.token
    }

    func store(_ token: GoogleCredentialSource.AccessToken, for key: String) {
        tokens[key] = (token, .now + .seconds(max(token.expiresIn - 225, 0)))
    }
}
