import Foundation
import XfnCore

/// Response header fields in arrival order; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public mutating func append(name: String, value: String) { fields.append((name, value)) }

    public subscript(name: String) -> String? {
        fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func values(for name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Whole-request limit; nil lets a large download run as long as bytes keep arriving.
    public var timeout: Duration?

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: Data? = nil, timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    /// The body when it was buffered; for a streamed success the bytes went to the sink and this is empty.
    public var body: Data
    public var url: String
    /// `2` for HTTP/2, `1` otherwise; for logs and tests.
    public var httpMajorVersion: Int

    public init(status: Int, headers: HTTPHeaders, body: Data, url: String, httpMajorVersion: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.httpMajorVersion = httpMajorVersion
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
    public var isRedirect: Bool { [301, 302, 303, 307, 308].contains(status) }
}

/// Where a streamed response body goes. Called on the transport's thread, in order, never concurrently;
/// throwing stops the transfer and the error reaches the caller.
public protocol ResponseBodySink: AnyObject, Sendable {
    /// Called once the status and headers are known and the status is a success; throwing refuses the body.
    func begin(status: Int, headers: HTTPHeaders) throws
    func write(_ bytes: UnsafeRawBufferPointer) throws
}
