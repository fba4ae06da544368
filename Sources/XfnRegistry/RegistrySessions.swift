import XfnAuth

/// What xfn has learned about each registry during this process: how it asks to be authenticated, and
/// which credential answers for each repository (with the trace of how it was found).
actor RegistrySessions {
    private var challenges: [String: AuthChallenge] = [:]
    private var credentials: [String: (credential: Credential?, trace: AuthTrace)] = [:]
    private let resolver: CredentialResolver

    init(resolver: CredentialResolver) { self.resolver = resolver }

    func challenge(for host: String) -> AuthChallenge? { challenges[host] }

    func record(challenge: AuthChallenge, for host: String) { challenges[host] = challenge }

    func credential(registry: String, repository: String) async -> (credential: Credential?, trace: AuthTrace) {
        let key = registry + "/" + repository
        if let known = credentials[key] { return known }
        let found = await resolver.resolve(registry: registry, repository: repository)
        credentials[key] = found
        return found
    }
}
