import Foundation
import XfnAuth
import XfnCore
import XfnHTTP
import XfnOCI

/// A client for the OCI distribution API of any registry: resolves tags, fetches manifests and streams
/// blobs, authenticating with the credentials the user already has.
public struct RegistryClient: Sendable {
    public let http: HTTPClient
    public let tokens: TokenService
    public let retry: RetryPolicy
    let sessions: RegistrySessions
    /// Every request this client sends, for `--verbose` and for tests that count round trips.
    public let requestLog: RequestLog

    public init(http: HTTPClient, credentials: CredentialResolver, retry: RetryPolicy = RetryPolicy()) {
        self.http = http
        self.tokens = TokenService(http: http)
        self.retry = retry
        self.sessions = RegistrySessions(resolver: credentials)
        self.requestLog = RequestLog()
    }

    /// `https://host` or `http://host` for a reference's registry.
    public func baseURL(for reference: Reference) -> String {
        let scheme = http.settings.usesPlainHTTP(reference.apiHost) || http.settings.usesPlainHTTP(reference.registry) ? "http" : "https"
        return "\(scheme)://\(reference.apiHost)"
    }

    /// The digest, media type and size a tag or digest currently points at (one HEAD request).
    public func resolve(_ reference: Reference) async throws -> Descriptor {
        let url = "\(baseURL(for: reference))/v2/\(reference.repository)/manifests/\(reference.manifestIdentifier)"
        let response: HTTPResponse
        do {
            response = try await perform(
                HTTPRequest(method: "HEAD", url: url, headers: [("Accept", MediaType.manifestAcceptHeader)]),
                reference: reference, operation: "resolving \(reference)")
        } catch let error as RegistryError where error.status == 404 && error.details.isEmpty {
            // A HEAD answer has no body to name the error; a missing manifest is what 404 means here.
            throw RegistryError(status: 404, operation: error.operation, body: Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))
        }
        guard let digestText = response.headers["Docker-Content-Digest"], let digest = try? Digest(parsing: digestText) else {
            // Some registries omit the header on HEAD; the manifest itself tells.
            let fetched = try await fetchManifest(reference)
            return fetched.descriptor
        }
        let mediaType = response.headers["Content-Type"].flatMap { $0.split(separator: ";").first.map(String.init) } ?? MediaType.ociManifest
        let size = response.headers["Content-Length"].flatMap { Int64($0) } ?? 0
        return Descriptor(mediaType: mediaType, digest: digest, size: size)
    }

    public struct FetchedManifest: Sendable {
        public let descriptor: Descriptor
        public let data: Data
    }

    /// Fetches a manifest or index by tag or digest and verifies it against the digest asked for, or
    /// against the registry's `Docker-Content-Digest`.
    public func fetchManifest(_ reference: Reference, digest: Digest? = nil) async throws -> FetchedManifest {
        let identifier = digest?.description ?? reference.manifestIdentifier
        let url = "\(baseURL(for: reference))/v2/\(reference.repository)/manifests/\(identifier)"
        let response = try await perform(
            HTTPRequest(url: url, headers: [("Accept", MediaType.manifestAcceptHeader)]),
            reference: reference, operation: "fetching manifest \(reference.name)@\(identifier)", bodyLimit: 4 << 20)
        let actual = SHA256Hasher.digest(response.body)
        let expected = digest ?? reference.digest ?? response.headers["Docker-Content-Digest"].flatMap { try? Digest(parsing: $0) }
        if let expected, expected != actual {
            throw ContentMismatchError(what: "manifest \(reference.name)@\(identifier)", expected: expected.description, actual: actual.description)
        }
        let declared = response.headers["Content-Type"].flatMap { $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces) }
        let mediaType: String
        switch try ManifestDocument.decode(response.body, declaredMediaType: declared) {
        case .index(let index): mediaType = index.mediaType ?? (declared.map(MediaType.isIndex) == true ? declared! : MediaType.ociIndex)
        case .image(let manifest): mediaType = manifest.mediaType ?? (declared.map(MediaType.isManifest) == true ? declared! : MediaType.ociManifest)
        }
        return FetchedManifest(descriptor: Descriptor(mediaType: mediaType, digest: actual, size: Int64(response.body.count)), data: response.body)
    }

    /// Streams a blob into `writer`, resuming with `Range` when the connection breaks.
    public func fetchBlob(_ reference: Reference, descriptor: Descriptor, into writer: any BlobWriter) async throws {
        let url = "\(baseURL(for: reference))/v2/\(reference.repository)/blobs/\(descriptor.digest)"
        let sink = BlobSink(writer: writer)
        var resumes = 0
        while true {
            var headers: [(name: String, value: String)] = []
            let offset = writer.bytesWritten
            if offset > 0 { headers.append(("Range", "bytes=\(offset)-")) }
            do {
                _ = try await perform(HTTPRequest(url: url, headers: headers), reference: reference,
                                      operation: "fetching blob \(descriptor.digest.short) of \(reference.name)", sink: sink)
                return
            } catch let error as HTTPError where error.kind == .interrupted || error.kind == .timedOut {
                // A stream that broke after making progress resumes; one that makes none gives up.
                guard writer.bytesWritten > offset, resumes < 10 else { throw error }
                resumes += 1
                await requestLog.note("resuming \(descriptor.digest.short) at byte \(writer.bytesWritten)")
            }
        }
    }

    /// Every tag of a repository, following `Link` pagination.
    public func listTags(_ reference: Reference, pageSize: Int = 1000) async throws -> [String] {
        var url: String? = "\(baseURL(for: reference))/v2/\(reference.repository)/tags/list?n=\(pageSize)"
        var tags: [String] = []
        var pages = 0
        while let next = url, pages < 1000 {
            pages += 1
            let response = try await perform(HTTPRequest(url: next), reference: reference, operation: "listing tags of \(reference.name)", bodyLimit: 16 << 20)
            let document = try ValueJSON.parse(response.body)
            tags += document["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            url = LinkHeader.next(response.headers["Link"], relativeTo: next)
        }
        return tags
    }
}

/// Adapts a `BlobWriter` to the transport: accepts a 206 that continues where the writer stopped, and
/// restarts the writer when the registry sends the whole blob instead.
final class BlobSink: ResponseBodySink, @unchecked Sendable {
    let writer: any BlobWriter

    init(writer: any BlobWriter) { self.writer = writer }

    func begin(status: Int, headers: HTTPHeaders) throws {
        if status == 206 {
            let start = headers["Content-Range"].flatMap(Self.rangeStart)
            if start != writer.bytesWritten { try writer.restart() }
        } else if writer.bytesWritten > 0 {
            try writer.restart()
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws { try writer.write(bytes) }

    /// `bytes 100-199/200` → 100.
    static func rangeStart(_ value: String) -> Int64? {
        guard let range = value.split(separator: " ").last, let dash = range.firstIndex(of: "-") else { return nil }
        return Int64(range[..<dash])
    }
}

/// The `rel="next"` target of a `Link` header, made absolute.
enum LinkHeader {
    static func next(_ header: String?, relativeTo current: String) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") || part.contains("rel=next") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">") else { continue }
            let target = String(part[part.index(after: open)..<close])
            return absolute(target, relativeTo: current)
        }
        return nil
    }

    static func absolute(_ target: String, relativeTo current: String) -> String {
        if target.contains("://") { return target }
        guard let schemeEnd = current.range(of: "://") else { return target }
        let afterScheme = current[schemeEnd.upperBound...]
        let origin = current[..<schemeEnd.upperBound] + afterScheme.prefix { $0 != "/" }
        return String(origin) + (target.hasPrefix("/") ? target : "/" + target)
    }
}
