import Foundation

/// One header line as it was sent; names keep their case, lookups ignore it.
public struct HTTPHeader: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Array where Element == HTTPHeader {
    /// The first value of `name`, compared without case.
    public func value(_ name: String) -> String? {
        first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func contains(_ name: String) -> Bool { value(name) != nil }

    func removing(_ names: Set<String>) -> [HTTPHeader] {
        filter { !names.contains($0.name.lowercased()) }
    }
}

/// The start line and headers of an HTTP/1.1 request or response.
public struct HTTPHead: Sendable {
    public var startLine: String
    public var headers: [HTTPHeader]

    var parts: [Substring] { startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true) }

    /// Request method (first word of a request line).
    public var method: String { parts.first.map(String.init) ?? "" }
    /// Request target: path and query.
    public var target: String { parts.count > 1 ? String(parts[1]) : "" }
    public var path: String { String(target.prefix { $0 != "?" }) }
    public var query: String? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return String(target[target.index(after: mark)...])
    }
    /// Response status (second word of a status line).
    public var status: Int { parts.count > 1 ? Int(parts[1]) ?? 0 : 0 }

    var serialized: [UInt8] {
        var text = startLine + "\r\n"
        for header in headers { text += "\(header.name): \(header.value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Whether the sender wants the connection closed after this message.
    var wantsClose: Bool {
        if let connection = headers.value("Connection"), connection.lowercased().contains("close") { return true }
        return startLine.hasSuffix("HTTP/1.0") || startLine.hasPrefix("HTTP/1.0")
    }
}

/// How a message body ends.
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    case untilClose

    static func ofRequest(_ head: HTTPHead) -> BodyFraming {
        if let coding = head.headers.value("Transfer-Encoding"), coding.lowercased().contains("chunked") { return .chunked }
        if let length = head.headers.value("Content-Length").flatMap(Int.init) { return length > 0 ? .length(length) : .none }
        return .none
    }

    static func ofResponse(_ head: HTTPHead, requestMethod: String) -> BodyFraming {
        let status = head.status
        if requestMethod == "HEAD" || (100..<200).contains(status) || status == 204 || status == 304 { return .none }
        if let coding = head.headers.value("Transfer-Encoding"), coding.lowercased().contains("chunked") { return .chunked }
        if let length = head.headers.value("Content-Length").flatMap(Int.init) { return length > 0 ? .length(length) : .none }
        return .untilClose
    }
}

extension SocketConnection {
    /// Streams a body: `emit` receives framing bytes (chunk-size lines, trailers) with `isData` false and
    /// content with `isData` true, and returns false to stop early.
    func readBody(
        _ framing: BodyFraming, emit: (_ bytes: [UInt8], _ isData: Bool) throws -> Bool
    ) throws {
        switch framing {
        case .none:
            return
        case .length(let total):
            var remaining = total
            while remaining > 0 {
                let piece = try readSome(limit: min(remaining, 64 * 1024))
                guard !piece.isEmpty else { throw TestSupportError("body ended \(remaining) bytes early") }
                remaining -= piece.count
                guard try emit(piece, true) else { return }
            }
        case .untilClose:
            while true {
                let piece = try readSome()
                if piece.isEmpty { return }
                guard try emit(piece, true) else { return }
            }
        case .chunked:
            while true {
                let sizeLine = try readLine()
                guard try emit(Array((sizeLine + "\r\n").utf8), false) else { return }
                let sizeText = sizeLine.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces)
                guard let size = Int(sizeText, radix: 16) else { throw TestSupportError("bad chunk size '\(sizeLine)'") }
                if size == 0 {
                    while true {
                        let trailer = try readLine()
                        guard try emit(Array((trailer + "\r\n").utf8), false) else { return }
                        if trailer.isEmpty { return }
                    }
                }
                var remaining = size
                while remaining > 0 {
                    let piece = try readSome(limit: min(remaining, 64 * 1024))
                    guard !piece.isEmpty else { throw TestSupportError("chunk ended early") }
                    remaining -= piece.count
                    guard try emit(piece, true) else { return }
                }
                let end = try readLine()
                guard end.isEmpty else { throw TestSupportError("chunk not followed by CRLF") }
                guard try emit([0x0D, 0x0A], false) else { return }
            }
        }
    }

    /// The whole decoded body.
    func readWholeBody(_ framing: BodyFraming, limit: Int = 256 * 1024 * 1024) throws -> [UInt8] {
        var body: [UInt8] = []
        try readBody(framing) { bytes, isData in
            if isData { body.append(contentsOf: bytes) }
            guard body.count <= limit else { throw TestSupportError("body larger than \(limit) bytes") }
            return true
        }
        return body
    }
}

/// A request as the simple servers (token, blob) see it: head plus the whole body.
public struct HTTPRequest: Sendable {
    public let head: HTTPHead
    public let body: [UInt8]
    /// Which client connection carried it (1 for the first accepted), to see keep-alive reuse.
    public let connection: Int

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: [HTTPHeader] { head.headers }

    /// Query parameters in order, percent-decoded; repeated names appear repeatedly.
    public var queryItems: [(name: String, value: String)] { FormDecoding.decode(head.query ?? "") }
}

/// A response the simple servers send with `Content-Length`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [HTTPHeader(name: "Content-Type", value: "text/plain")],
            body: Array(text.utf8))
    }

    public static func json(_ status: Int, _ json: String) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [HTTPHeader(name: "Content-Type", value: "application/json")],
            body: Array(json.utf8))
    }

    /// The head, adding `Content-Length` unless one is set; `bodyLength` overrides it for HEAD answers.
    func head(bodyLength: Int? = nil, close: Bool) -> HTTPHead {
        var headers = self.headers
        if !headers.contains("Content-Length") {
            headers.append(HTTPHeader(name: "Content-Length", value: String(bodyLength ?? body.count)))
        }
        if close { headers.append(HTTPHeader(name: "Connection", value: "close")) }
        return HTTPHead(startLine: "HTTP/1.1 \(status) \(HTTPStatus.reason(status))", headers: headers)
    }
}

enum HTTPStatus {
    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// `application/x-www-form-urlencoded` and query strings.
public enum FormDecoding {
    public static func decode(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            let value = parts.count > 1 ? unescape(parts[1]) : ""
            return (name, value)
        }
    }

    private static func unescape(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
