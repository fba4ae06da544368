import Foundation
import XfnCore
import XfnHTTP

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
    /// For PATH, when the file names credential helpers.
    public let environment: Environment

    public init(path: String, label: String, environment: Environment = .current) {
        self.path = path
        self.label = label
        self.environment = environment
    }

    public var name: String { "\(label) \(path)" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard let data = FileManager.default.contents(atPath: path) else {
            trace.record(name, .skipped, "does not exist")
            return nil
        }
        let file: AuthFile
        do { file = try AuthFile(parsing: data, path: path) } catch {
            trace.record(name, .failed, "exists but cannot be parsed: \((error as? any XfnError)?.message ?? "\(error)")")
            return nil
        }
        return await Self.lookup(in: file, origin: name, registry: registry, repository: repository, environment: environment, trace: &trace)
    }

    /// Within one file: the host's `credHelpers` entry, then `auths` (most specific key first), then
    /// `credsStore`. An empty `{}` entry (docker's marker for "the secret is in the store") and a helper
    /// that knows nothing both let the search go on.
    static func lookup(in file: AuthFile, origin: String, registry: String, repository: String, environment: Environment,
                       trace: inout AuthTrace) async -> Credential? {
        if let helper = file.credHelpers[registry] {
            if let found = await runHelper(helper, field: "credHelpers[\"\(registry)\"]", origin: origin, registry: registry,
                                           environment: environment, trace: &trace) {
                return found
            }
        }
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
        let markers = file.auths.filter { !$0.entry.hasSecret && AuthFile.normalizedHost($0.key) == registry }.map(\.key)
        if let store = file.credsStore {
            if let found = await runHelper(store, field: "credsStore", origin: origin, registry: registry, environment: environment, trace: &trace) {
                return found
            }
            return nil
        }
        if !markers.isEmpty {
            trace.record(origin, .noMatch, "auths[\"\(markers[0])\"] is empty and no helper is configured for \(registry)")
        } else {
            trace.record(origin, .noMatch, "parsed; no entry for \(registry)/\(repository)")
        }
        return nil
    }

    private static func runHelper(_ name: String, field: String, origin: String, registry: String, environment: Environment,
                                  trace: inout AuthTrace) async -> Credential? {
        let helper = CredentialHelper(name: name, environment: environment)
        for serverURL in CredentialHelper.serverURLs(for: registry) {
            switch await helper.get(serverURL: serverURL) {
            case .missing:
                trace.record(origin, .failed, "\(field) names \(helper.programName), which is not on PATH; continuing without it")
                return nil
            case .notFound:
                trace.record(origin, .noMatch, "\(field): \(helper.programName) get \(serverURL) → exit 1, credentials not found")
            case .failed(let detail):
                trace.record(origin, .failed, "\(field): \(helper.programName) get \(serverURL) → \(detail)")
                return nil
            case .found(let username, let secret):
                let credential = CredentialHelper.credential(
                    username: username, secret: secret, source: "\(origin) (\(helper.programName) get \(serverURL))")
                trace.record(origin, .matched, "\(field): \(helper.programName) get \(serverURL) → exit 0, \(credential.summary)")
                return credential
            }
        }
        return nil
    }
}

/// `DOCKER_AUTH_CONFIG`: a Docker config document held in an environment variable.
public struct EnvironmentAuthSource: CredentialSource {
    public let variable: String
    public let document: String?
    let environment: Environment

    public init(variable: String, environment: Environment) {
        self.variable = variable
        self.document = environment[variable]
        self.environment = environment
    }

    public var name: String { "$\(variable)" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard let document else {
            trace.record(name, .skipped, "not set")
            return nil
        }
        do {
            let file = try AuthFile(parsing: Data(document.utf8), path: name)
            return await AuthFileSource.lookup(in: file, origin: name, registry: registry, repository: repository,
                                               environment: environment, trace: &trace)
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
            if decoded[..<colon] == Credential.acrRefreshTokenUser { return Credential(secret: .identityToken(password), source: source) }
            return Credential(secret: .basic(username: String(decoded[..<colon]), password: password), source: source)
        }
        if let username, username == Credential.acrRefreshTokenUser, let password, !password.isEmpty {
            return Credential(secret: .identityToken(password), source: source)
        }
        if let username, !username.isEmpty {
            return Credential(secret: .basic(username: username, password: password ?? ""), source: source)
        }
        throw AuthEntryError(description: "the entry has no usable secret")
    }
}

/// What the cloud-provider sources need beyond the environment.
public struct ResolverOptions: Sendable {
    /// For token exchanges (ECR, Google); without it those sources are left out.
    public var http: HTTPClient?
    /// Where the ECR token cache lives (`CACHE/auth`).
    public var cacheDirectory: String?
    public var gcpKeyFile: String?
    public var containerdConfig: String?
    /// Registries spoken to over plain HTTP, for token exchanges on the registry host itself.
    public var plainHTTPHosts: Set<String>

    public init(http: HTTPClient? = nil, cacheDirectory: String? = nil, gcpKeyFile: String? = nil, containerdConfig: String? = nil,
                plainHTTPHosts: Set<String> = []) {
        self.http = http
        self.plainHTTPHosts = plainHTTPHosts
        self.cacheDirectory = cacheDirectory
        self.gcpKeyFile = gcpKeyFile
        self.containerdConfig = containerdConfig
    }
}

/// The credential sources in the order xfn walks them (see docs/authentication.md).
public struct CredentialResolver: Sendable {
    public var sources: [any CredentialSource]

    public init(sources: [any CredentialSource]) { self.sources = sources }

    /// Login files of Docker, Podman, skopeo and buildah users, after any explicit credential, then the
    /// cloud providers for their own hosts (ECR, Google) when `http` is given.
    public static func standard(environment: Environment, explicit: ExplicitCredentialSource? = nil, authFile: String? = nil,
                                options: ResolverOptions = ResolverOptions()) -> CredentialResolver {
        var sources: [any CredentialSource] = []
        if let explicit { sources.append(explicit) }
        if let http = options.http, let key = options.gcpKeyFile {
            sources.append(GoogleCredentialSource(environment: environment, http: http, explicitKeyFile: key))
        }
        if let containerd = options.containerdConfig { sources.append(ContainerdConfigSource(path: containerd)) }
        if let authFile {
            // An auth file named on the command line is the only file consulted, as podman does.
            sources.append(AuthFileSource(path: authFile, label: "--authfile", environment: environment))
            return CredentialResolver(sources: sources)
        }
        sources.append(EnvironmentAuthSource(variable: "DOCKER_AUTH_CONFIG", environment: environment))
        sources += loginFiles(environment: environment)
        if let http = options.http {
            sources.append(ECRCredentialSource(environment: environment, http: http, cacheDirectory: options.cacheDirectory))
            if options.gcpKeyFile == nil { sources.append(GoogleCredentialSource(environment: environment, http: http)) }
        }
        if let http = options.http {
            sources.append(AzureWorkloadIdentitySource(environment: environment, http: http, plainHTTPHosts: options.plainHTTPHosts))
        }
        sources.append(AzureCLISource(environment: environment))
        sources.append(GitHubTokenSource(environment: environment))
        return CredentialResolver(sources: sources)
    }

    /// The login files, in the order they are read.
    public static func loginFiles(environment: Environment) -> [AuthFileSource] {
        var sources: [AuthFileSource] = []
        if let file = environment["REGISTRY_AUTH_FILE"] {
            sources.append(AuthFileSource(path: file, label: "$REGISTRY_AUTH_FILE", environment: environment))
        }
        let runtimeDirectory = environment["XDG_RUNTIME_DIR"] ?? "/run/containers/\(getuid())"
        let runtimeFile = environment["XDG_RUNTIME_DIR"] != nil ? runtimeDirectory + "/containers/auth.json" : runtimeDirectory + "/auth.json"
        sources.append(AuthFileSource(path: runtimeFile, label: "podman", environment: environment))
        sources.append(AuthFileSource(path: environment.configHome + "/containers/auth.json", label: "containers", environment: environment))
        sources.append(AuthFileSource(path: dockerConfigPath(environment: environment), label: "docker", environment: environment))
        sources.append(AuthFileSource(path: environment.home + "/.dockercfg", label: "docker (legacy)", environment: environment))
        return sources
    }

    /// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static func dockerConfigPath(environment: Environment) -> String {
        (environment["DOCKER_CONFIG"] ?? environment.home + "/.docker") + "/config.json"
    }

    public func resolve(registry: String, repository: String) async -> (credential: Credential?, trace: AuthTrace) {
        var trace = AuthTrace()
        for source in sources {
            if let credential = await source.credential(registry: registry, repository: repository, trace: &trace) {
                if let expired = ECRTokenCheck.expiry(of: credential, registry: registry), expired < Date() {
                    // A day-old `docker login` to ECR would only earn a 401; the next sources may do better.
                    trace.record(source.name, .failed, "the ECR token from \(credential.source) expired at \(expired); looking further")
                    continue
                }
                return (credential, trace)
            }
        }
        trace.record("anonymous", .info, "no credential found; continuing without one")
        return (nil, trace)
    }
}
