import Foundation

/// A scriptable HTTP/1.1 server on 127.0.0.1 for client tests that need no real registry (metadata
/// endpoints, odd status codes, slow peers): `respond` answers each whole request, and every request
/// is recorded. Responses carry `Content-Length`; connections stay alive unless the client closes.
public final class StubServer: @unchecked Sendable {
    public var port: UInt16 { server.port }
    /// `127.0.0.1:PORT`.
    public var host: String { "127.0.0.1:\(port)" }
    public var baseURL: String { "http://\(host)" }

    private var server: LoopbackHTTPServer!
    private let lock = NSLock()
    private var records: [HTTPRequest] = []

    public init(respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        server = try LoopbackHTTPServer(name: "stub") { [weak self] request in
            self?.lock.withLock { self?.records.append(request) }
            return respond(request)
        }
    }

    public static func with<T>(
        respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse, _ body: (StubServer) async throws -> T
    ) async throws -> T {
        let server = try StubServer(respond: respond)
        defer { server.stop() }
        return try await body(server)
    }

    deinit { stop() }

    public func stop() { server?.stop() }

    /// Every request so far (with bodies), oldest first.
    public var requests: [HTTPRequest] { lock.withLock { records } }
}
