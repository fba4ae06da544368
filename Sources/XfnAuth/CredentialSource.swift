import Foundation
import XfnCore

/// One place a credential may come from. Sources are asked in order for each image; the first that
/// answers wins, and each records what it looked at.
public protocol CredentialSource: Sendable {
    var name: String { get }
    func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential?
}

/// A credential given on the command line (`--username` with `--password-stdin`, `--registry-token`).
public struct ExplicitCredentialSource: CredentialSource {
    public let credential: Credential
    public let registry: String?

    public init(credential: Credential, registry: String? = nil) {
        self.credential = credential
        self.registry = registry
    }

    public var name: String { "command line" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        if let only = self.registry, only != registry {
            trace.record(name, .noMatch, "given for \(only), not \(registry)")
            return nil
        }
        trace.record(name, .matched, credential.description)
        return credential
    }
}

/// A login file in Docker or containers format, read fresh each time it is asked.
public struct AuthFileSource: CredentialSource {
    public let path: String
    public let label: String

    public init(path: String, label: String) {
        self.path = path
        self.label = label
    }

    public var name: String { "\(label) \(path)" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard let data = FileManager.default.contents(atPath: path) else {
            trace.record(name, .skipped, "does not exist")
            return nil
        }
        let file: AuthFile
        do { file = try AuthFile(parsing: data, path: path) } catch {
            trace.record(name, .failed, "\(error)")
            return nil
        }
        return Self.lookup(in: file, origin: name, registry: registry, repository: repository, trace: &trace)
    }

    static func lookup(in file: AuthFile, origin: String, registry: String, repository: String, trace: inout AuthTrace) -> Credential? {
        if let (key, entry) = file.entry(registry: registry, repository: repository) {
            let source = "\(origin) (auths[\"\(key)\"])"
            do {
                let credential = try entry.credential(source: source)
                trace.record(origin, .matched, "auths[\"\(key)\"]: \(credential.summary)")
                return credential
            } catch {
                trace.record(origin, .failed, "auths[\"\(key)\"]: \(error)")
                return nil
            }
        }
        if let helper = file.credHelpers[registry] ?? file.credsStore {
            trace.record(origin, .noMatch, "no auths entry for \(registry); names credential helper docker-credential-\(helper), which this version of xfn does not run")
            return nil
        }
        trace.record(origin, .noMatch, "no entry for \(registry)")
        return nil
    }
}

/// `DOCKER_AUTH_CONFIG`: a Docker config document held in an environment variable.
public struct EnvironmentAuthSource: CredentialSource {
    public let variable: String
    public let document: String?

    public init(variable: String, environment: Environment) {
        self.variable = variable
        self.document = environment[variable]
    }

    public var name: String { "$\(variable)" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard let document else {
            trace.record(name, .skipped, "not set")
            return nil
        }
        do {
            let file = try AuthFile(parsing: Data(document.utf8), path: name)
            return AuthFileSource.lookup(in: file, origin: name, registry: registry, repository: repository, trace: &trace)
        } catch {
            trace.record(name, .failed, "\(error)")
            return nil
        }
    }
}

struct AuthEntryError: Error, CustomStringConvertible {
    let description: String
}

extension AuthFile.Entry {
    func credential(source: String) throws -> Credential {
        if let token = registryToken, !token.isEmpty { return Credential(secret: .registryToken(token), source: source) }
        if let token = identityToken, !token.isEmpty { return Credential(secret: .identityToken(token), source: source) }
        if let auth, !auth.isEmpty {
            guard let data = Data(base64Encoded: auth, options: .ignoreUnknownCharacters),
                let decoded = String(data: data, encoding: .utf8)
            else { throw AuthEntryError(description: "the \"auth\" value is not valid base64 of user:password") }
            guard let colon = decoded.firstIndex(of: ":"), colon != decoded.startIndex else {
                throw AuthEntryError(description: "the \"auth\" value does not decode to user:password")
            }
            var password = String(decoded[decoded.index(after: colon)...])
            while password.hasSuffix("\0") { password.removeLast() }
            return Credential(secret: .basic(username: String(decoded[..<colon]), password: password), source: source)
        }
        if let username, !username.isEmpty {
            return Credential(secret: .basic(username: username, password: password ?? ""), source: source)
        }
        throw AuthEntryError(description: "the entry has no usable secret")
    }
}

/// The credential sources in the order xfn walks them (see docs/authentication.md).
public struct CredentialResolver: Sendable {
    public var sources: [any CredentialSource]

    public init(sources: [any CredentialSource]) { self.sources = sources }

    /// Login files of Docker, Podman, skopeo and buildah users, after any explicit credential.
    public static func standard(environment: Environment, explicit: ExplicitCredentialSource? = nil, authFile: String? = nil) -> CredentialResolver {
        var sources: [any CredentialSource] = []
        if let explicit { sources.append(explicit) }
        if let authFile {
            // An auth file named on the command line is the only file consulted, as podman does.
            sources.append(AuthFileSource(path: authFile, label: "--authfile"))
            return CredentialResolver(sources: sources)
        }
        sources.append(EnvironmentAuthSource(variable: "DOCKER_AUTH_CONFIG", environment: environment))
        if let file = environment["REGISTRY_AUTH_FILE"] {
            sources.append(AuthFileSource(path: file, label: "$REGISTRY_AUTH_FILE"))
        }
        let runtimeDirectory = environment["XDG_RUNTIME_DIR"] ?? "/run/containers/\(getuid())"
        let runtimeFile = environment["XDG_RUNTIME_DIR"] != nil ? runtimeDirectory + "/containers/auth.json" : runtimeDirectory + "/auth.json"
        sources.append(AuthFileSource(path: runtimeFile, label: "podman"))
        sources.append(AuthFileSource(path: environment.configHome + "/containers/auth.json", label: "containers"))
        let dockerDirectory = environment["DOCKER_CONFIG"] ?? environment.home + "/.docker"
        sources.append(AuthFileSource(path: dockerDirectory + "/config.json", label: "docker"))
        sources.append(AuthFileSource(path: environment.home + "/.dockercfg", label: "docker (legacy)"))
        return CredentialResolver(sources: sources)
    }

    public func resolve(registry: String, repository: String) async -> (credential: Credential?, trace: AuthTrace) {
        var trace = AuthTrace()
        for source in sources {
            if let credential = await source.credential(registry: registry, repository: repository, trace: &trace) {
                return (credential, trace)
            }
        }
        trace.record("anonymous", .info, "no credential found; continuing without one")
        return (nil, trace)
    }
}
