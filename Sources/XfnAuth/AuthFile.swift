import Foundation
import XfnCore

/// A Docker `config.json` or a containers `auth.json`: the two share the `auths` map; the Docker file
/// also names credential helpers.
struct AuthFile: Sendable {
    struct Entry: Sendable {
        var auth: String?
        var username: String?
        var password: String?
        var identityToken: String?
        var registryToken: String?
    }

    var auths: [(key: String, entry: Entry)] = []
    var credHelpers: [String: String] = [:]
    var credsStore: String?

    struct ParseError: XfnError {
        let path: String
        let reason: String
        var message: String { "cannot read credentials from \(path): \(reason)" }
        var hint: String? { "fix or remove the file; xfn reads it the way docker and podman do" }
        var exitCode: ExitStatus { .registry }
    }

    init(parsing data: Data, path: String) throws {
        let document: Value
        do { document = try ValueJSON.parse(data) } catch let error as ValueJSON.SyntaxError {
            throw ParseError(path: path, reason: error.message)
        }
        guard case .object(let root) = document else { throw ParseError(path: path, reason: "the top level is not a JSON object") }
        if case .object(let auths)? = root["auths"] {
            for (key, value) in auths {
                guard case .object(let fields) = value else { continue }
                auths_append(key: key, fields: fields)
            }
        } else if root["auths"] == nil, root["credHelpers"] == nil, root["credsStore"] == nil {
            // The legacy ~/.dockercfg has the host keys at the top level.
            for (key, value) in root {
                if case .object(let fields) = value { auths_append(key: key, fields: fields) }
            }
        }
        if case .object(let helpers)? = root["credHelpers"] {
            for (host, name) in helpers { if let name = name.stringValue { credHelpers[host] = name } }
        }
        credsStore = root["credsStore"]?.stringValue
    }

    private mutating func auths_append(key: String, fields: ValueObject) {
        let entry = Entry(
            auth: fields["auth"]?.stringValue, username: fields["username"]?.stringValue,
            password: fields["password"]?.stringValue, identityToken: fields["identitytoken"]?.stringValue,
            registryToken: fields["registrytoken"]?.stringValue)
        auths.append((key, entry))
    }

    /// Keys that may hold the credential for `registry/repository`, most specific first: the namespaced
    /// keys of containers-auth.json, then the host in every spelling docker has written it.
    static func candidateKeys(registry: String, repository: String) -> [String] {
        var keys: [String] = []
        var components = repository.split(separator: "/").map(String.init)
        while !components.isEmpty {
            keys.append(registry + "/" + components.joined(separator: "/"))
            components.removeLast()
        }
        keys.append(registry)
        if ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry) {
            keys += ["https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"]
        }
        return keys
    }

    /// `https://host:port/v1/` → `host:port`, as docker compares keys written with a scheme or path.
    static func normalizedHost(_ key: String) -> String {
        var text = Substring(key)
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        return String(text.prefix { $0 != "/" })
    }

    /// The first entry matching one of the candidate keys, exact keys before normalised ones.
    func entry(registry: String, repository: String) -> (key: String, entry: Entry)? {
        let candidates = Self.candidateKeys(registry: registry, repository: repository)
        for candidate in candidates {
            if let found = auths.first(where: { $0.key == candidate }), found.entry.hasSecret { return found }
        }
        // Keys written with a scheme or a path (`https://host/v1/`) count for their host.
        let hosts = Set(candidates.filter { !$0.contains("/") }.map(Self.normalizedHost))
        // Docker Hub's web login also keeps its OAuth tokens under `…/v1/access-token` and
        // `…/v1/refresh-token`; those are not registry credentials.
        return auths.first {
            $0.entry.hasSecret && $0.key.contains("://") && hosts.contains(Self.normalizedHost($0.key))
                && !$0.key.hasSuffix("/access-token") && !$0.key.hasSuffix("/refresh-token")
        }
    }
}

extension AuthFile.Entry {
    /// Docker writes `{}` for hosts whose secret lives in a helper; such an entry does not stop the search.
    var hasSecret: Bool {
        [auth, username, password, identityToken, registryToken].contains { !($0 ?? "").isEmpty }
    }
}
