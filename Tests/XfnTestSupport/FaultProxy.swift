import Foundation

/// A fault the proxy injects into requests whose path matches `pathPattern` (a regular expression
/// searched in the path) and, when set, whose method matches. `times` is how many matching requests
/// it affects before passing them through (nil: all of them).
public struct FaultRule: Sendable {
    public enum Action: Sendable {
        /// Answers with this status instead of forwarding (the body is a registry-style JSON error).
        case respond(status: Int, retryAfter: String?)
        /// Waits this long before forwarding, for timeouts and slow-peer behaviour.
        case delay(milliseconds: Int)
        /// Reads the request and closes the connection without answering.
        case dropConnection
        /// Forwards, then hangs up after `afterBytes` bytes of a successful response body.
        case truncateBody(afterBytes: Int)
        /// Forwards and flips one bit pattern (XOR 0xFF) of the byte at `offset` of a successful body.
        case corruptBody(offset: Int)
        /// Answers a successful GET with 307 to the same path on `server` (plus `query`, for
        /// presigned-looking URLs), which the proxy first fills with the bytes the registry returned.
        /// Unsuccessful answers (401, 404) pass through unchanged.
        case redirect(to: BlobServer, query: String?)
    }

    public var pathPattern: String
    public var method: String?
    public var times: Int?
    public var action: Action

    public init(pathPattern: String, method: String? = nil, times: Int? = nil, action: Action) {
        self.pathPattern = pathPattern
        self.method = method
        self.times = times
        self.action = action
    }

    /// Blob URLs: `/v2/<name>/blobs/sha256:<hex>`.
    public static let blobPath = "^/v2/.+/blobs/sha256:[0-9a-f]{64}$"
    /// Manifest URLs: `/v2/<name>/manifests/<reference>`.
    public static let manifestPath = "^/v2/.+/manifests/[^/]+$"

    /// 429 with `Retry-After: 1`, `times` times, then pass.
    public static func tooManyRequests(path: String, method: String? = nil, times: Int = 1) -> FaultRule {
        FaultRule(pathPattern: path, method: method, times: times, action: .respond(status: 429, retryAfter: "1"))
    }

    /// 503, `times` times, then pass.
    public static func unavailable(path: String, method: String? = nil, times: Int = 1) -> FaultRule {
        FaultRule(pathPattern: path, method: method, times: times, action: .respond(status: 503, retryAfter: nil))
    }

    /// Holds matching requests for `milliseconds` before forwarding them.
    public static func delay(path: String, milliseconds: Int, times: Int? = 1) -> FaultRule {
        FaultRule(pathPattern: path, times: times, action: .delay(milliseconds: milliseconds))
    }

    /// Closes the connection without any answer, `times` times.
    public static func dropConnection(path: String, method: String? = nil, times: Int = 1) -> FaultRule {
        FaultRule(pathPattern: path, method: method, times: times, action: .dropConnection)
    }

    /// Cuts the connection once after `afterBytes` body bytes, so the client has to resume with `Range`.
    public static func cutBody(path: String = blobPath, afterBytes: Int, times: Int = 1) -> FaultRule {
        FaultRule(pathPattern: path, method: "GET", times: times, action: .truncateBody(afterBytes: afterBytes))
    }

    public static func corruptBody(path: String = blobPath, offset: Int = 0, times: Int? = 1) -> FaultRule {
        FaultRule(pathPattern: path, method: "GET", times: times, action: .corruptBody(offset: offset))
    }

    /// Every blob GET is redirected to `server` (another host string: `localhost` vs `127.0.0.1`),
    /// with `query` appended to the Location when given (e.g. `X-Amz-Signature=…`).
    public static func redirectBlobs(to server: BlobServer, query: String? = nil, times: Int? = nil) -> FaultRule {
        FaultRule(pathPattern: blobPath, method: "GET", times: times, action: .redirect(to: server, query: query))
    }

    func matches(_ head: HTTPHead) -> Bool {
        if let method, method != head.method { return false }
        // The proxy validated the pattern when the rule was added.
        guard let regex = try? NSRegularExpression(pattern: pathPattern) else { return false }
        let path = head.path
        return regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
    }
}

/// A fault the proxy actually injected, in order.
public struct InjectedFault: Sendable {
    public let method: String
    public let path: String
    /// The status for injected answers ("429", "503"), else "delay", "drop", "truncate", "corrupt", "redirect".
    public let kind: String
}

/// An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a plain-HTTP registry. It forwards requests and
/// responses byte for byte (Host, Range, Authorization, WWW-Authenticate, chunked bodies included),
/// streams bodies, keeps client connections alive, and injects the faults of its rules.
public final class FaultProxy: @unchecked Sendable {
    public let upstreamPort: UInt16
    public var port: UInt16 { server.port }
    /// `127.0.0.1:PORT` — use it in image references instead of the registry's host.
    public var host: String { "127.0.0.1:\(port)" }
    public var baseURL: String { "http://\(host)" }

    private var server: LoopbackHTTPServer!
    private let lock = NSLock()
    private var rules: [(rule: FaultRule, remaining: Int?)] = []
    private var records: [RecordedRequest] = []
    private var faults: [InjectedFault] = []

    public init(upstreamPort: UInt16, rules: [FaultRule] = []) throws {
        self.upstreamPort = upstreamPort
        try rules.forEach(Self.validate)
        self.rules = rules.map { ($0, $0.times) }
        server = try LoopbackHTTPServer(name: "fault-proxy") { [weak self] head, connection in
            guard let self else { return false }
            return try self.handle(head, client: connection)
        }
    }

    public convenience init(upstream registry: RegistryProcess, rules: [FaultRule] = []) throws {
        guard registry.scheme == "http" else {
            throw TestSupportError("FaultProxy speaks plain HTTP; start the registry without TLS")
        }
        try self.init(upstreamPort: registry.port, rules: rules)
    }

    public static func with<T>(
        upstream registry: RegistryProcess, rules: [FaultRule] = [], _ body: (FaultProxy) async throws -> T
    ) async throws -> T {
        let proxy = try FaultProxy(upstream: registry, rules: rules)
        defer { proxy.stop() }
        return try await body(proxy)
    }

    deinit { stop() }

    public func stop() { server?.stop() }

    /// Adds a rule; it applies to requests arriving from now on.
    public func add(_ rule: FaultRule) throws {
        try Self.validate(rule)
        lock.withLock { rules.append((rule, rule.times)) }
    }

    private static func validate(_ rule: FaultRule) throws {
        do {
            _ = try NSRegularExpression(pattern: rule.pathPattern)
        } catch {
            throw TestSupportError("fault rule path pattern '\(rule.pathPattern)' is not a regular expression: \(error)")
        }
    }

    public func removeAllRules() { lock.withLock { rules.removeAll() } }

    /// Every request the proxy received, in arrival order.
    public var requests: [RecordedRequest] { lock.withLock { records } }

    public var injectedFaults: [InjectedFault] { lock.withLock { faults } }

    public func clearRecords() {
        lock.withLock {
            records.removeAll()
            faults.removeAll()
        }
    }

    // MARK: proxying

    private enum Phase { case request, response }

    /// Claims the first live rule for this request whose action belongs to `phase`.
    private func claimRule(for head: HTTPHead, phase: Phase) -> FaultRule.Action? {
        lock.withLock {
            for index in rules.indices {
                let (rule, remaining) = rules[index]
                if let remaining, remaining <= 0 { continue }
                let rulePhase: Phase = switch rule.action {
                case .respond, .delay, .dropConnection: .request
                case .truncateBody, .corruptBody, .redirect: .response
                }
                guard rulePhase == phase, rule.matches(head) else { continue }
                if let remaining { rules[index].remaining = remaining - 1 }
                return rule.action
            }
            return nil
        }
    }

    private func hasRedirectRule(for head: HTTPHead) -> Bool {
        lock.withLock {
            rules.contains { entry in
                if let remaining = entry.remaining, remaining <= 0 { return false }
                if case .redirect = entry.rule.action { return entry.rule.matches(head) }
                return false
            }
        }
    }

    private func note(_ head: HTTPHead, _ kind: String) {
        lock.withLock { faults.append(InjectedFault(method: head.method, path: head.path, kind: kind)) }
    }

    private func handle(_ head: HTTPHead, client: SocketConnection) throws -> Bool {
        lock.withLock { records.append(RecordedRequest(head, connection: client.serial)) }
        if head.headers.value("Expect")?.lowercased() == "100-continue" {
            try client.write("HTTP/1.1 100 Continue\r\n\r\n")
        }
        let requestFraming = BodyFraming.ofRequest(head)
        let keepAlive = !head.wantsClose

        var requestFault = claimRule(for: head, phase: .request)
        if case .delay(let milliseconds) = requestFault {
            note(head, "delay")
            Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
            requestFault = claimRule(for: head, phase: .request)
        }
        if case .dropConnection = requestFault {
            try client.readBody(requestFraming) { _, _ in true }
            note(head, "drop")
            client.shutdown()
            return false
        }
        if case .respond(let status, let retryAfter) = requestFault {
            try client.readBody(requestFraming) { _, _ in true }
            var response = HTTPResponse.json(status, Self.errorBody(status))
            if let retryAfter { response.headers.append(HTTPHeader(name: "Retry-After", value: retryAfter)) }
            note(head, String(status))
            try client.write(response.head(close: !keepAlive).serialized)
            if head.method != "HEAD" { try client.write(response.body) }
            return keepAlive
        }

        let upstream: SocketConnection
        do {
            upstream = try Loopback.connect(port: upstreamPort)
        } catch {
            try client.readBody(requestFraming) { _, _ in true }
            let response = HTTPResponse.text(502, "upstream 127.0.0.1:\(upstreamPort) unreachable")
            try client.write(response.head(close: true).serialized + response.body)
            return false
        }
        defer { upstream.close() }

        // One upstream connection per request keeps framing simple; the client side stays keep-alive.
        var forwarded = head
        forwarded.headers = head.headers.removing(["connection", "keep-alive", "proxy-connection", "expect"])
            + [HTTPHeader(name: "Connection", value: "close")]
        try upstream.write(forwarded.serialized)
        try client.readBody(requestFraming) { bytes, _ in
            try upstream.write(bytes)
            return true
        }

        var responseHead: HTTPHead
        repeat {
            guard let next = try upstream.readHead() else {
                let response = HTTPResponse.text(502, "upstream closed without answering")
                try client.write(response.head(close: true).serialized + response.body)
                return false
            }
            responseHead = next
        } while (100..<200).contains(responseHead.status)
        let responseFraming = BodyFraming.ofResponse(responseHead, requestMethod: head.method)
        let succeeded = (200..<300).contains(responseHead.status)

        if succeeded, head.method == "GET", hasRedirectRule(for: head),
            case .redirect(let blobServer, let query) = claimRule(for: head, phase: .response)
        {
            let body = try upstream.readWholeBody(responseFraming)
            blobServer.put(body, at: head.path)
            let location = blobServer.baseURL + head.path + (query.map { "?" + $0 } ?? "")
            let response = HTTPResponse(status: 307, headers: [HTTPHeader(name: "Location", value: location)])
            note(head, "redirect")
            try client.write(response.head(close: !keepAlive).serialized)
            return keepAlive
        }

        var bodyFault: FaultRule.Action?
        if succeeded, responseFraming != .none, !hasRedirectRule(for: head) {
            bodyFault = claimRule(for: head, phase: .response)
        }
        let closeAfter = !keepAlive || responseFraming == .untilClose
        var clientHead = responseHead
        clientHead.headers = responseHead.headers.removing(["connection", "keep-alive"])
        if closeAfter { clientHead.headers.append(HTTPHeader(name: "Connection", value: "close")) }
        try client.write(clientHead.serialized)

        var offset = 0
        var cut = false
        var corruptAt: Int?
        if case .corruptBody(let at) = bodyFault {
            if case .length(let total) = responseFraming { corruptAt = min(at, total - 1) } else { corruptAt = at }
            note(head, "corrupt")
        }
        try upstream.readBody(responseFraming) { bytes, isData in
            guard isData else {
                try client.write(bytes)
                return true
            }
            var piece = bytes
            if let position = corruptAt, position >= offset, position < offset + piece.count {
                piece[position - offset] ^= 0xFF
            }
            if case .truncateBody(let limit) = bodyFault, offset + piece.count > limit {
                note(head, "truncate")
                try client.write(Array(piece.prefix(max(0, limit - offset))))
                cut = true
                return false
            }
            try client.write(piece)
            offset += piece.count
            return true
        }
        if cut {
            client.shutdown()
            return false
        }
        return !closeAfter
    }

    private static func errorBody(_ status: Int) -> String {
        let code = status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE"
        return #"{"errors":[{"code":"\#(code)","message":"injected by the test proxy","detail":null}]}"#
    }
}
