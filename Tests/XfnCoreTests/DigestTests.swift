import Foundation
import Testing
@testable import XfnCore

@Suite struct DigestTests {
    @Test func sha256OfKnownInputs() {
        #expect(SHA256Hasher.digest("abc").description == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hasher.digest("").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func incrementalEqualsOneShot() {
        let hasher = SHA256Hasher()
        hasher.update("a")
        hasher.update("bc")
        #expect(hasher.byteCount == 3)
        #expect(hasher.finalize() == SHA256Hasher.digest("abc"))
    }

    @Test(arguments: [
        "sha256", "sha256:abc", "SHA256:" + String(repeating: "a", count: 64),
        "sha256:" + String(repeating: "A", count: 64), "md5:" + String(repeating: "a", count: 32),
        "sha512:" + String(repeating: "a", count: 128), ":" + String(repeating: "a", count: 64),
    ])
    func invalidDigestsAreRejected(_ text: String) {
        #expect(throws: Digest.ParseError.self) { try Digest(parsing: text) }
    }

    @Test func validDigestRoundTrips() throws {
        let text = "sha256:" + String(repeating: "0f", count: 32)
        #expect(try Digest(parsing: text).description == text)
    }
}
