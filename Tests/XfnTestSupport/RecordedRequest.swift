/// A request a test peer saw, for assertions such as "no Authorization reached the blob host".
public struct RecordedRequest: Sendable {
    public let method: String
    /// Path and query as sent.
    public let target: String
    public let headers: [HTTPHeader]
    /// Which client connection carried it (1 for the first accepted), to see keep-alive reuse.
    public let connection: Int
    /// When the head arrived, for checks such as "the client waited for Retry-After".
    public let receivedAt: ContinuousClock.Instant

    public var path: String { String(target.prefix { $0 != "?" }) }

    public func header(_ name: String) -> String? { headers.value(name) }

    init(_ head: HTTPHead, connection: Int) {
        self.connection = connection
        method = head.method
        target = head.target
        headers = head.headers
        receivedAt = .now
    }
}
