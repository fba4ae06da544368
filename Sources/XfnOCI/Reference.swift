import XfnCore

/// A fully-qualified image reference `host[:port]/path[:tag][@sha256:hex]`, parsed to the grammar of the
/// distribution project. Crossplane v2 requires the registry to be named, so xfn does too: a bare
/// `crossplane/provider-aws` is rejected with the qualified forms it could mean.
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    /// Registry as written (`xpkg.crossplane.io`, `127.0.0.1:5000`, `docker.io`).
    public let registry: String
    /// Repository path inside the registry (`crossplane-contrib/function-auto-ready`); for Docker Hub
    /// one-component names gain the implicit `library/`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    public static let maximumNameLength = 255
    public static let maximumTagLength = 128

    public init(registry: String, repository: String, tag: String?, digest: Digest?) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// What this reference is written as, canonically.
    public var description: String {
        var text = "\(registry)/\(repository)"
        if let tag { text += ":\(tag)" }
        if let digest { text += "@\(digest)" }
        return text
    }

    /// `registry/repository`, without tag or digest.
    public var name: String { "\(registry)/\(repository)" }

    /// The host xfn talks to: Docker Hub's API lives at `registry-1.docker.io`.
    public var apiHost: String {
        Reference.dockerHubAliases.contains(registry) ? "registry-1.docker.io" : registry
    }

    /// The tag, or the digest string when there is no tag: what goes after `/manifests/`.
    public var manifestIdentifier: String { digest?.description ?? tag ?? "latest" }

    /// The same repository pinned to a digest (the tag is kept for display).
    public func pinned(to digest: Digest) -> Reference {
        Reference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    public func withTag(_ tag: String) -> Reference {
        Reference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]
}

extension Reference: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
