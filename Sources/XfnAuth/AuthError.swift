import XfnCore

/// Authentication failed: the token realm refused, answered nonsense, or could not be trusted.
public struct AuthError: XfnError {
    public enum Kind: Sendable {
        case tokenRejected(status: Int)
        case invalidTokenResponse
        case untrustedRealm
        case denied(status: Int)
        /// The credential was checked locally and cannot work; nothing was sent.
        case invalidCredential(hint: String?)
    }

    public let kind: Kind
    public let registry: String
    public let detail: String
    /// The credential search, summarised for the hint.
    public let trace: AuthTrace?

    public init(kind: Kind, registry: String, detail: String, trace: AuthTrace? = nil) {
        self.kind = kind
        self.registry = registry
        self.detail = detail
        self.trace = trace
    }

    public var message: String {
        switch kind {
        case .tokenRejected(let status): "the token service for \(registry) refused the request (HTTP \(status)): \(detail)"
        case .invalidTokenResponse: "the token service for \(registry) answered something xfn cannot use: \(detail)"
        case .untrustedRealm: "refusing the token realm offered by \(registry): \(detail)"
        case .denied(let status): "\(registry) denied access (HTTP \(status)): \(detail)"
        case .invalidCredential: detail
        }
    }

    public var hint: String? {
        var lines: [String] = []
        if let trace {
            lines.append("credentials considered:")
            lines += trace.steps.map { "  \($0)" }
        }
        if case .invalidCredential(let hint?) = kind { lines.append(hint) } else { lines.append(RegistryHints.hint(for: registry)) }
        return lines.joined(separator: "\n")
    }

    public var exitCode: ExitStatus { .registry }

    public func with(trace: AuthTrace) -> AuthError { AuthError(kind: kind, registry: registry, detail: detail, trace: trace) }
}

/// What to check for the registries users most often fight with.
enum RegistryHints {
    static func hint(for registry: String) -> String {
        if registry.hasSuffix(".amazonaws.com") || registry == "public.ecr.aws" {
            return "ECR tokens last 12 hours: log in again with `aws ecr get-login-password --region REGION | xfn login --username AWS --password-stdin \(registry)`; check the account and region in the host name"
        }
        if registry.hasSuffix("pkg.dev") || registry.hasSuffix("gcr.io") {
            return "Google registries take the user name _json_key (key JSON as password), _json_key_base64, or oauth2accesstoken (an access token); the account needs roles/artifactregistry.reader"
        }
        if registry.hasSuffix(".azurecr.io") {
            return "for ACR run `az acr login --name \(registry.split(separator: ".")[0])` or use a service principal; refresh tokens expire after 3 hours of disuse"
        }
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry) {
            return "Docker Hub answers 401 for private and for non-existent repositories alike; check the name, then `docker login`"
        }
        return "log in with `xfn login \(registry)`, `docker login \(registry)` or `podman login \(registry)`; `xfn auth explain` shows every source xfn consulted"
    }
}
