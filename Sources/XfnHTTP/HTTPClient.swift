import Foundation
import XfnCore

/// Asynchronous HTTP over libcurl. Requests are independent; many may run at once and share connections.
/// Redirects are returned to the caller, never followed here, so credentials cannot travel to another host.
public struct HTTPClient: Sendable {
    public let settings: TransportSettings

    public init(settings: TransportSettings) { self.settings = settings }

    /// Sends a request and buffers the response body, refusing bodies larger than `bodyLimit`.
    public func send(_ request: HTTPRequest, bodyLimit: Int = 4 << 20) async throws -> HTTPResponse {
        try await run(try Transfer(request: request, settings: settings, sink: nil, bufferLimit: bodyLimit))
    }

    /// Sends a request and streams a successful body into `sink`; an unsuccessful status returns with its
    /// body buffered (up to 64 KiB) for the error message.
    public func stream(_ request: HTTPRequest, to sink: any ResponseBodySink) async throws -> HTTPResponse {
        try await run(try Transfer(request: request, settings: settings, sink: sink, bufferLimit: 64 << 10))
    }

    private func run(_ transfer: Transfer) async throws -> HTTPResponse {
        let loop = CurlMultiLoop.shared
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }
}
