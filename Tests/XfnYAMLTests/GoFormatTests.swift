import Testing
import XfnCore
@testable import XfnYAML

@Suite struct GoFormatTests {
    @Test func floatsAsGoPrintsThem() {
        let cases: [(Double, String)] = [
            (1e6, "1e+06"), (100000, "100000"), (123456.7, "123456.7"), (1234567, "1.234567e+06"),
            (1.5e-7, "1.5e-07"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-0.5, "-0.5"), (0, "0"),
            (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"),
            (2.5, "2.5"), (1e21, "1e+21"), (-1e100, "-1e+100"), (.infinity, "+Inf"),
        ]
        for (value, expected) in cases {
            #expect(GoFormat.float(value) == expected, "\(value)")
        }
    }

    @Test func floatsAsGoJSONWritesThem() {
        let cases: [(Double, String)] = [
            (1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-7, "1e-7"), (0.000001, "0.000001"),
            (1.5, "1.5"), (-2.25e-10, "-2.25e-10"), (1e6, "1000000"),
        ]
        for (value, expected) in cases {
            #expect(GoFormat.jsonFloat(value) == expected, "\(value)")
        }
    }

    @Test func quoting() {
        #expect(GoFormat.quote("plain") == #""plain""#)
        #expect(GoFormat.quote("a\"b\\c") == #""a\"b\\c""#)
        #expect(GoFormat.quote("tab\tnew\nline") == #""tab\tnew\nline""#)
        #expect(GoFormat.quote("\u{01}\u{7F}") == #""\x01\x7f""#)
        #expect(GoFormat.quote("héllo 🎉") == "\"héllo 🎉\"")
        #expect(GoFormat.quote("nb\u{A0}sp") == #""nb\u00a0sp""#)
    }

    @Test func json() {
        let value: Value = ["b": [1, 2.5, "x<y"], "a": nil, "c": ["z": true]]
        #expect(GoFormat.json(value) == #"{"a":null,"b":[1,2.5,"x\u003cy"],"c":{"z":true}}"#)
    }
}
