import Foundation
import XfnAuth
import XfnCore
import XfnHTTP
import XfnOCI

extension RegistryClient {
    /// Sends a registry request the way every registry expects: authenticated with what the registry's
    /// challenge asks for, redirects followed without credentials leaving the registry's host, retried on
    /// 408/429/5xx and broken connections, and failed with a message that names the registry error.
    func perform(_ request: HTTPRequest, reference: Reference, operation: String, bodyLimit: Int = 4 << 20,
                 sink: BlobSink? = nil) async throws -> HTTPResponse {
        let registryHost = HTTPError.hostPort(of: request.url)
        var scopes = ["repository:\(reference.repository):pull"]
        var current = request
        var attempt = 0
        var redirects = 0
        var answeredChallenge = false
        while true {
            attempt += 1
            let onRegistryHost = HTTPError.hostPort(of: current.url) == registryHost
            var outgoing = current
            if onRegistryHost, let authorization = try await authorization(for: reference, scopes: scopes) {
                outgoing.headers.append(("Authorization", authorization))
            }
            let startOffset = sink?.writer.bytesWritten ?? 0
            let response: HTTPResponse
            do {
                if let sink {
                    response = try await http.stream(outgoing, to: sink)
                } else {
                    response = try await http.send(outgoing, bodyLimit: bodyLimit)
                }
            } catch let error as HTTPError where error.isTransient {
                await requestLog.record(method: current.method, url: current.url, status: nil)
                let progressed = (sink?.writer.bytesWritten ?? 0) > startOffset
                guard !progressed, attempt < retry.maximumAttempts else { throw error }
                let delay = retry.delay(afterAttempt: attempt, retryAfter: nil)
                await requestLog.note("\(error.detail); retrying in \(delay)")
                try await Task.sleep(for: delay)
                continue
            }
            await requestLog.record(method: current.method, url: current.url, status: response.status)

            if response.isRedirect, let location = response.headers["Location"] {
                redirects += 1
                guard redirects <= 10 else {
                    throw RegistryError(status: response.status, operation: operation + " (more than 10 redirects)", body: Data())
                }
                current.url = LinkHeader.absolute(location, relativeTo: current.url)
                current.headers.removeAll { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame }
                continue
            }

            if response.status == 401, onRegistryHost {
                let challenges = AuthChallenge.parse(headerValues: response.headers.values(for: "WWW-Authenticate"))
                if let challenge = Self.preferredChallenge(challenges), !answeredChallenge {
                    answeredChallenge = true
                    if let previous = await sessions.challenge(for: reference.apiHost), let realm = previous.realm {
                        await tokens.invalidate(realm: realm)
                    }
                    await sessions.record(challenge: challenge, for: reference.apiHost)
                    for scope in challenge.scopes where !scopes.contains(scope) { scopes.insert(scope, at: 0) }
                    attempt -= 1
                    continue
                }
                throw await denied(reference: reference, status: 401, operation: operation, body: response.body)
            }
            if response.status == 403, onRegistryHost {
                throw await denied(reference: reference, status: 403, operation: operation, body: response.body)
            }
            if RetryPolicy.isRetryable(status: response.status), attempt < retry.maximumAttempts {
                let delay = retry.delay(afterAttempt: attempt, retryAfter: response.headers["Retry-After"])
                await requestLog.note("HTTP \(response.status) from \(HTTPError.hostPort(of: current.url)); retrying in \(delay)")
                try await Task.sleep(for: delay)
                continue
            }
            guard response.isSuccess else {
                throw RegistryError(status: response.status, operation: operation, body: response.body)
            }
            return response
        }
    }

    /// Bearer first (it scopes access), then Basic; other schemes are not spoken by registries.
    static func preferredChallenge(_ challenges: [AuthChallenge]) -> AuthChallenge? {
        challenges.first { $0.scheme == "bearer" } ?? challenges.first { $0.scheme == "basic" }
    }

    private func authorization(for reference: Reference, scopes: [String]) async throws -> String? {
        guard let challenge = await sessions.challenge(for: reference.apiHost) else { return nil }
        let (credential, trace) = await sessions.credential(registry: reference.registry, repository: reference.repository)
        switch challenge.scheme {
        case "basic":
            guard case .basic(let username, let password)? = credential?.secret else { return nil }
            return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
        case "bearer":
            if case .registryToken(let token)? = credential?.secret { return "Bearer \(token)" }
            do {
                let plainHTTP = baseURL(for: reference).hasPrefix("http://")
                let token = try await tokens.token(registry: reference.registry, challenge: challenge, scopes: scopes,
                                                   credential: credential, plainHTTP: plainHTTP)
                return "Bearer \(token)"
            } catch let error as AuthError {
                throw error.with(trace: trace)
            }
        default:
            return nil
        }
    }

    private func denied(reference: Reference, status: Int, operation: String, body: Data) async -> AuthError {
        let (_, trace) = await sessions.credential(registry: reference.registry, repository: reference.repository)
        let registryError = RegistryError(status: status, operation: operation, body: body)
        return AuthError(kind: .denied(status: status), registry: reference.registry, detail: registryError.message, trace: trace)
    }

    /// How xfn found (or did not find) a credential for this reference; for `xfn auth explain`.
    public func credentialTrace(for reference: Reference) async -> AuthTrace {
        await sessions.credential(registry: reference.registry, repository: reference.repository).trace
    }
}
