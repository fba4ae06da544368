import Foundation
import XfnHTTP

/// When and how long to wait before trying a request again: 408, 429 and 5xx answers and broken
/// connections, with exponential backoff, full jitter, and the registry's `Retry-After` when it gives one.
public struct RetryPolicy: Sendable {
    public var maximumAttempts = 5
    public var baseDelay: Duration = .milliseconds(250)
    public var maximumDelay: Duration = .seconds(20)

    public init() {}

    public static func isRetryable(status: Int) -> Bool { status == 408 || status == 429 || (500...599).contains(status) && status != 501 }

    /// The wait before attempt `attempt + 1` (attempts count from 1).
    public func delay(afterAttempt attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Self.parseRetryAfter(retryAfter) {
            return min(.seconds(seconds), .seconds(60))
        }
        let exponential = baseDelay * (1 << min(attempt - 1, 16))
        let capped = min(exponential, maximumDelay)
        let millis = Double(capped.components.seconds) * 1000 + Double(capped.components.attoseconds) / 1e15
        return .milliseconds(Int64(Double.random(in: 0.5...1.0) * millis))
    }

    /// `Retry-After` as seconds or an HTTP date.
    static func parseRetryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSinceNow)
    }
}
