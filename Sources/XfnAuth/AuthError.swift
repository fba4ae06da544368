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
        if case .invalidCredential(let hint?) = kind { lines.append(hint) } else { lines.append(RegistryHints.hint(for: registry, trace: trace)) }
        return lines.joined(separator: "\n")
    }

    public var exitCode: ExitStatus { .registry }

    public func with(trace: AuthTrace) -> AuthError { AuthError(kind: kind, registry: registry, detail: detail, trace: trace) }
}

/// What to check for the registries users most often fight with, given what the trace says was sent.
enum RegistryHints {
    static func hint(for registry: String, trace: AuthTrace? = nil) -> String {
        let used = trace?.steps.last { $0.outcome == .matched }
        let sent = used?.detail ?? ""
        let anonymous = used == nil
        if let ecr = ECRHost(registry: registry) {
            if ecr.isPublic {
                return "public.ecr.aws serves public images anonymously; a stale login for it makes pulls fail — run `xfn logout public.ecr.aws`"
            }
            if anonymous {
                return "ECR needs credentials: set AWS_PROFILE or AWS keys (xfn calls GetAuthorizationToken in \(ecr.region) itself), or run `aws ecr get-login-password --region \(ecr.region) | xfn login --username AWS --password-stdin \(registry)`"
            }
            if sent.contains("GetAuthorizationToken") || sent.contains("cached ECR token") {
                return "the token came from your AWS identity; it needs ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on repositories of account \(ecr.account ?? "?") in \(ecr.region), and the repository must exist there"
            }
            return "ECR tokens expire after 12 hours and are valid only for account \(ecr.account ?? "?") in \(ecr.region): the login found above may be stale or for another account/region; remove it (`xfn logout \(registry)`) to let xfn get a fresh token from your AWS credentials"
        }
        if GoogleHost.matches(registry) {
            if anonymous {
                return "Google registries need a login: --gcp-key-file KEY.json, GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, or user _json_key / _json_key_base64 / oauth2accesstoken"
            }
            if sent.contains("'oauth2accesstoken'") || used?.source == "google" {
                return "the access token may have expired (they last an hour) or the account lacks roles/artifactregistry.reader on the repository"
            }
            if sent.contains("_json_key") {
                return "the key was well-formed; check that the service account still exists, the key was not deleted, and it holds roles/artifactregistry.reader on the repository's project"
            }
            return "Google registries accept only the user names _json_key (key JSON as password), _json_key_base64 (base64 of the key file) or oauth2accesstoken (an access token); the login found above uses another one"
        }
        if registry.hasSuffix(".azurecr.io") {
            let name = registry.split(separator: ".")[0]
            if sent.contains("identity token") || sent.contains("ACR refresh token") {
                return "ACR refresh tokens expire (3 hours after `az acr login --expose-token`); run `az acr login --name \(name) --expose-token` again, or log in with a service principal (app id as user name)"
            }
            return "for ACR log in with `az acr login --name \(name)`, a service principal (app id and secret), or a repository-scoped token; the identity needs the AcrPull role"
        }
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry) {
            return "Docker Hub answers 401 for private and for non-existent repositories alike: check the name (official images live under library/), then log in with a personal access token (`xfn login docker.io -u USER --password-stdin`)"
        }
        if registry == "ghcr.io" {
            return "GHCR needs a token with read:packages (or GITHUB_TOKEN in Actions) for private packages: `xfn login ghcr.io -u USER --password-stdin`"
        }
        return "log in with `xfn login \(registry)`, `docker login \(registry)` or `podman login \(registry)`; `xfn auth explain` shows every source xfn consulted"
    }
}
