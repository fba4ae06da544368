import Foundation
import Testing
@testable import XfnRegistry

@Suite struct RegistryHelpersTests {
    @Test func retryAfterSecondsAndDates() {
        #expect(RetryPolicy.parseRetryAfter("3") == 3)
        #expect(RetryPolicy.parseRetryAfter("garbage") == nil)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        let inTen = formatter.string(from: Date().addingTimeInterval(10))
        let parsed = RetryPolicy.parseRetryAfter(inTen) ?? -1
        #expect(parsed > 7 && parsed <= 10)
    }

    @Test func backoffGrowsIsJitteredAndCapped() {
        let policy = RetryPolicy()
        for attempt in 1...10 {
            let delay = policy.delay(afterAttempt: attempt, retryAfter: nil)
            #expect(delay <= policy.maximumDelay)
            #expect(delay >= .zero)
        }
        #expect(policy.delay(afterAttempt: 1, retryAfter: "2") == .seconds(2))
        #expect(policy.delay(afterAttempt: 1, retryAfter: "100000") == .seconds(60))
    }

    @Test func retryableStatuses() {
        for status in [408, 429, 500, 502, 503, 504] { #expect(RetryPolicy.isRetryable(status: status)) }
        for status in [400, 401, 403, 404, 501] { #expect(!RetryPolicy.isRetryable(status: status)) }
    }

    @Test func linkHeaderPagination() {
        let next = LinkHeader.next(#"</v2/lab/fn/tags/list?last=b&n=2>; rel="next""#, relativeTo: "http://127.0.0.1:5000/v2/lab/fn/tags/list?n=2")
        #expect(next == "http://127.0.0.1:5000/v2/lab/fn/tags/list?last=b&n=2")
        #expect(LinkHeader.next(nil, relativeTo: "http://x/") == nil)
        #expect(LinkHeader.next(#"<https://other/x>; rel="prev""#, relativeTo: "http://x/") == nil)
        #expect(LinkHeader.absolute("https://cdn.example/b", relativeTo: "https://r/v2/") == "https://cdn.example/b")
    }

    @Test func contentRangeStart() {
        #expect(BlobSink.rangeStart("bytes 100-199/200") == 100)
        #expect(BlobSink.rangeStart("bytes */200") == nil)
    }

    @Test func registryErrorsReadAsSentences() {
        let body = Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{"Tag":"v9"}}]}"#.utf8)
        let error = RegistryError(status: 404, operation: "fetching manifest ghcr.io/a/b:v9", body: body)
        #expect(error.message == "fetching manifest ghcr.io/a/b:v9: manifest unknown")
        #expect(error.codes == ["MANIFEST_UNKNOWN"])
        #expect(error.hint?.contains("tag exists") == true)
        let plain = RegistryError(status: 401, operation: "x", body: Data("Not Authorized\n".utf8))
        #expect(plain.message.contains("Not Authorized"))
    }
}
