import Foundation
import XfnCore
import XfnHTTP

/// ACR without a stored login: `az acr login --name NAME --expose-token` prints an ACR refresh token,
/// which goes to the registry's `/oauth2/token` with the refresh_token grant.
public struct AzureCLISource: CredentialSource {
    let environment: Environment

    public init(environment: Environment) { self.environment = environment }

    public var name: String { "azure" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        // Other registries are not this source's business, and say nothing in the trace.
        guard (registry.split(separator: ":").first.map(String.init) ?? registry).hasSuffix(".azurecr.io") else { return nil }
        guard let az = ChildProcess.find("az", environment: environment) else {
            trace.record(name, .skipped, "the az CLI is not on PATH")
            return nil
        }
        let registryName = String(registry.split(separator: ".")[0])
        let arguments = ["acr", "login", "--name", registryName, "--expose-token", "--output", "json"]
        do {
            let result = try await az.run(arguments, input: Data(), environment: environment, timeout: .seconds(60))
            guard result.status == 0, !result.timedOut, let token = (try? ValueJSON.parse(result.stdout))?["accessToken"]?.stringValue, !token.isEmpty else {
                trace.record(name, .failed, "az \(arguments.joined(separator: " ")) → exit \(result.status): \(CredentialHelper.firstLine(result.stderrText))")
                return nil
            }
            trace.record(name, .matched, "az acr login --name \(registryName) --expose-token → exit 0, ACR refresh token")
            return Credential(secret: .identityToken(token), source: "az acr login --expose-token")
        } catch {
            trace.record(name, .failed, "az acr login: \(error)")
            return nil
        }
    }
}

/// GHCR in GitHub Actions: `$GITHUB_TOKEN` (with `$GITHUB_ACTOR` as user name when set).
public struct GitHubTokenSource: CredentialSource {
    let environment: Environment

    public init(environment: Environment) { self.environment = environment }

    public var name: String { "github" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard registry == "ghcr.io" else { return nil }
        guard let token = environment["GITHUB_TOKEN"] else {
            trace.record(name, .noMatch, "$GITHUB_TOKEN is not set")
            return nil
        }
        let user = environment["GITHUB_ACTOR"] ?? "x-access-token"
        trace.record(name, .matched, "$GITHUB_TOKEN as user \(Credential.usernameClass(user))")
        return Credential(secret: .basic(username: user, password: token), source: "$GITHUB_TOKEN")
    }
}

/// ACR with an Entra ID identity from the environment (AKS workload identity's
/// `AZURE_FEDERATED_TOKEN_FILE`, or a service principal's `AZURE_CLIENT_SECRET`, with `AZURE_CLIENT_ID`
/// and `AZURE_TENANT_ID`): an Entra access token for the registry audience, exchanged at the
/// registry's `/oauth2/exchange` for an ACR refresh token.
public struct AzureWorkloadIdentitySource: CredentialSource {
    let environment: Environment
    let http: HTTPClient
    /// Hosts spoken to over plain HTTP (tests, local mirrors).
    let plainHTTPHosts: Set<String>

    public init(environment: Environment, http: HTTPClient, plainHTTPHosts: Set<String> = []) {
        self.environment = environment
        self.http = http
        self.plainHTTPHosts = plainHTTPHosts
    }

    public var name: String { "azure identity" }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        let host = registry.split(separator: ":").first.map(String.init) ?? registry
        guard host.hasSuffix(".azurecr.io") else { return nil }
        guard let tenant = environment["AZURE_TENANT_ID"], let client = environment["AZURE_CLIENT_ID"] else {
            trace.record(name, .noMatch, "AZURE_TENANT_ID and AZURE_CLIENT_ID are not both set")
            return nil
        }
        var form = [("client_id", client), ("scope", "https://containerregistry.azure.net/.default"), ("grant_type", "client_credentials")]
        let method: String
        if let file = environment["AZURE_FEDERATED_TOKEN_FILE"] {
            guard let assertion = try? String(contentsOfFile: file, encoding: .utf8) else {
                trace.record(name, .failed, "cannot read AZURE_FEDERATED_TOKEN_FILE \(file)")
                return nil
            }
            form += [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                     ("client_assertion", assertion.trimmingCharacters(in: .whitespacesAndNewlines))]
            method = "federated token \(file)"
        } else if let secret = environment["AZURE_CLIENT_SECRET"] {
            form.append(("client_secret", secret))
            method = "client secret"
        } else {
            trace.record(name, .noMatch, "neither AZURE_FEDERATED_TOKEN_FILE nor AZURE_CLIENT_SECRET is set")
            return nil
        }
        let authority = (environment["AZURE_AUTHORITY_HOST"] ?? "https://login.microsoftonline.com").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let entraURL = "\(authority)/\(tenant)/oauth2/v2.0/token"
        let scheme = plainHTTPHosts.contains(registry) ? "http" : "https"
        let exchangeURL = "\(scheme)://\(registry)/oauth2/exchange"
        do {
            let entra = try await post(entraURL, form)
            guard let accessToken = entra["access_token"]?.stringValue else { throw Failure(description: "\(entraURL) answered without access_token") }
            let exchanged = try await post(exchangeURL, [("grant_type", "access_token"), ("service", host), ("tenant", tenant), ("access_token", accessToken)])
            guard let refresh = exchanged["refresh_token"]?.stringValue else { throw Failure(description: "\(exchangeURL) answered without refresh_token") }
            trace.record(name, .matched, "Entra ID token for client \(client) (\(method)) exchanged at \(exchangeURL) for an ACR refresh token")
            return Credential(secret: .identityToken(refresh), source: "Entra ID (\(method))")
        } catch {
            trace.record(name, .failed, "client \(client) (\(method)): \(error)")
            return nil
        }
    }

    private func post(_ url: String, _ fields: [(String, String)]) async throws -> Value {
        let body = fields.map { "\($0.0)=\(TokenService.formEncode($0.1))" }.joined(separator: "&")
        let response = try await http.send(
            HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8),
                        timeout: .seconds(30)), bodyLimit: 64 << 10)
        let document = (try? ValueJSON.parse(response.body)) ?? .null
        guard response.isSuccess else {
            let reason = document["error_description"]?.stringValue ?? document["error"]?.stringValue ?? ResponseSummary.text(of: response.body)
            throw Failure(description: "\(url) answered HTTP \(response.status): \(CredentialHelper.firstLine(reason))")
        }
        return document
    }
}
