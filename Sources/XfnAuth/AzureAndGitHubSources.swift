import Foundation
import XfnCore

/// ACR without a stored login: `az acr login --name NAME --expose-token` prints an ACR refresh token,
/// which goes to the registry's `/oauth2/token` with the refresh_token grant.
public struct AzureCLISource: CredentialSource {
    let environment: Environment

    public init(environment: Environment) { self.environment = environment }

    public var name: String { "azure" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard registry.hasSuffix(".azurecr.io") else {
            trace.record(name, .skipped, "\(registry) is not an Azure registry")
            return nil
        }
        guard let az = ExternalProgram.find("az", environment: environment) else {
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
        guard registry == "ghcr.io" else {
            trace.record(name, .skipped, "$GITHUB_TOKEN is only used for ghcr.io")
            return nil
        }
        guard let token = environment["GITHUB_TOKEN"] else {
            trace.record(name, .noMatch, "$GITHUB_TOKEN is not set")
            return nil
        }
        let user = environment["GITHUB_ACTOR"] ?? "x-access-token"
        trace.record(name, .matched, "$GITHUB_TOKEN as user \(Credential.usernameClass(user))")
        return Credential(secret: .basic(username: user, password: token), source: "$GITHUB_TOKEN")
    }
}
