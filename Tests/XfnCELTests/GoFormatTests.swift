import XfnCore
import Testing
@testable import XfnCEL

/// Go's renderings, which Kubernetes messages and CEL's `string()` reproduce.
@Suite struct GoFormatTests {
    @Test(arguments: [
        (1e6, "1e+06"), (1234567.0, "1.234567e+06"), (123456.0, "123456"), (0.0001, "0.0001"), (0.00001, "1e-05"),
        (1.5, "1.5"), (-0.0, "-0"), (100.0, "100"), (1e21, "1e+21"), (123456789.0, "1.23456789e+08"),
        (0.1 + 0.2, "0.30000000000000004"), (Double.leastNonzeroMagnitude, "5e-324"), (Double.infinity, "+Inf"),
    ] as [(Double, String)])
    func shortestG(_ value: Double, _ expected: String) {
        #expect(GoFormat.float(value) == expected)
    }

    @Test func shortestF() {
        #expect(GoFormat.shortestF(1e21) == "1000000000000000000000")
        #expect(GoFormat.shortestF(1e-7) == "0.0000001")
        #expect(GoFormat.shortestF(-2.5) == "-2.5")
    }

    @Test func quote() {
        #expect(GoFormat.quote("a\"b\\c") == #""a\"b\\c""#)
        #expect(GoFormat.quote("line\nbreak\t") == #""line\nbreak\t""#)
        #expect(GoFormat.quote("\u{7f}\u{1}") == #""\x7f\x01""#)
        #expect(GoFormat.quote("héllo ☃") == "\"héllo ☃\"")
        #expect(GoFormat.quote("zero\u{200b}width") == #""zero\u200bwidth""#)
    }

    @Test func base64RoundTrip() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = Base64.encode(Array(text.utf8))
            #expect(Base64.decode(encoded) == Array(text.utf8), "\(text) → \(encoded)")
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9v!") == nil)
    }
}
