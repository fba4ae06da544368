import Foundation

/// Stands in for the storage a registry redirects blob downloads to (S3, GCS, a CDN): serves the bytes
/// it was given at fixed paths on `localhost:PORT` — a different host string from the registry's
/// `127.0.0.1` — honours `Range`, and records every request's headers.
public final class BlobServer: @unchecked Sendable {
    public var port: UInt16 { server.port }
    /// `localhost:PORT`.
    public var host: String { "localhost:\(port)" }
    public var baseURL: String { "http://\(host)" }

    private var server: LoopbackHTTPServer!
    private let lock = NSLock()
    private var blobs: [String: [UInt8]] = [:]
    private var records: [RecordedRequest] = []
    private var refuseAuthorization: Bool

    /// With `refuseAuthorization`, requests carrying `Authorization` get S3's 400 "Only one auth
    /// mechanism allowed" instead of the bytes.
    public init(refuseAuthorization: Bool = false) throws {
        self.refuseAuthorization = refuseAuthorization
        server = try LoopbackHTTPServer(name: "blobs") { [weak self] request in
            guard let self else { return .text(503, "stopped") }
            return self.respond(to: request)
        }
    }

    public static func with<T>(refuseAuthorization: Bool = false, _ body: (BlobServer) async throws -> T) async throws -> T {
        let server = try BlobServer(refuseAuthorization: refuseAuthorization)
        defer { server.stop() }
        return try await body(server)
    }

    deinit { stop() }

    public func stop() { server?.stop() }

    /// Serves `bytes` at `path` (which starts with "/").
    public func put(_ bytes: [UInt8], at path: String) { lock.withLock { blobs[path] = bytes } }

    public func put(_ data: Data, at path: String) { put(Array(data), at: path) }

    public func contains(_ path: String) -> Bool { lock.withLock { blobs[path] != nil } }

    public var requests: [RecordedRequest] { lock.withLock { records } }

    public func clearRequests() { lock.withLock { records.removeAll() } }

    private func respond(to request: HTTPRequest) -> HTTPResponse {
        let (blob, refuse): ([UInt8]?, Bool) = lock.withLock {
            records.append(RecordedRequest(request.head, connection: request.connection))
            return (blobs[request.path], refuseAuthorization)
        }
        if refuse, request.headers.contains("Authorization") {
            return HTTPResponse(
                status: 400, headers: [HTTPHeader(name: "Content-Type", value: "application/xml")],
                body: Array("<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>".utf8))
        }
        guard ["GET", "HEAD"].contains(request.method) else { return .text(405, "method not allowed") }
        guard let blob else { return .text(404, "no blob at \(request.path)") }
        let common = [
            HTTPHeader(name: "Content-Type", value: "application/octet-stream"),
            HTTPHeader(name: "Accept-Ranges", value: "bytes"),
        ]
        guard let rangeHeader = request.headers.value("Range") else {
            return HTTPResponse(status: 200, headers: common, body: blob)
        }
        guard let range = Self.parseRange(rangeHeader, total: blob.count) else {
            return HTTPResponse(
                status: 416, headers: common + [HTTPHeader(name: "Content-Range", value: "bytes */\(blob.count)")])
        }
        return HTTPResponse(
            status: 206,
            headers: common + [HTTPHeader(name: "Content-Range",
                                          value: "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(blob.count)")],
            body: Array(blob[range]))
    }

    /// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clamped; nil when unsatisfiable.
    static func parseRange(_ header: String, total: Int) -> Range<Int>? {
        let spec = header.trimmingCharacters(in: .whitespaces)
        guard spec.hasPrefix("bytes="), !spec.contains(",") else { return nil }
        let bounds = spec.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2 else { return nil }
        if bounds[0].isEmpty {
            guard let suffix = Int(bounds[1]), suffix > 0, total > 0 else { return nil }
            return max(0, total - suffix)..<total
        }
        guard let first = Int(bounds[0]), first < total else { return nil }
        let last = bounds[1].isEmpty ? total - 1 : min(Int(bounds[1]) ?? -1, total - 1)
        guard last >= first else { return nil }
        return first..<(last + 1)
    }
}
