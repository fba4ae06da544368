import Testing
import XfnCore
@testable import XfnYAML

@Suite struct ScalarResolutionTests {
    private func value(_ yaml: String) throws -> Value {
        let documents = try YAMLReader.read("v: \(yaml)\n", file: "test.yaml")
        return try #require(documents.first?.value["v"])
    }

    @Test(arguments: ["yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "true", "True", "TRUE"])
    func trueWords(_ word: String) throws {
        #expect(try value(word) == .bool(true))
    }

    @Test(arguments: ["no", "No", "NO", "n", "N", "off", "Off", "OFF", "false", "False", "FALSE"])
    func falseWords(_ word: String) throws {
        #expect(try value(word) == .bool(false))
    }

    @Test func norwayProblem() throws {
        let document = try #require(try YAMLReader.read("country: NO\nquoted: \"NO\"\n", file: "n.yaml").first)
        #expect(document.value["country"] == .bool(false))
        #expect(document.value["quoted"] == .string("NO"))
    }

    @Test func mixedCaseWordsStayStrings() throws {
        #expect(try value("yEs") == .string("yEs"))
        #expect(try value("nO") == .string("nO"))
        #expect(try value("TRue") == .string("TRue"))
    }

    @Test func nulls() throws {
        for word in ["~", "null", "Null", "NULL", ""] {
            #expect(try value(word) == .null, "\(word)")
        }
        #expect(try value("nULL") == .string("nULL"))
    }

    @Test func integers() throws {
        #expect(try value("42") == .int(42))
        #expect(try value("+42") == .int(42))
        #expect(try value("-42") == .int(-42))
        #expect(try value("0x1F") == .int(31))
        #expect(try value("0o17") == .int(15))
        #expect(try value("0755") == .int(493))
        #expect(try value("0b101") == .int(5))
        #expect(try value("1_000_000") == .int(1_000_000))
        #expect(try value("-9223372036854775808") == .int(Int64.min))
    }

    @Test func octalLookingStrings() throws {
        // Not valid octal, so go-yaml falls back to a float, which JSON turns into an integer.
        #expect(try value("08") == .int(8))
        #expect(try value("\"0755\"") == .string("0755"))
        #expect(try value("'0x1F'") == .string("0x1F"))
        #expect(try value("0x") == .string("0x"))
        #expect(try value("0xZZ") == .string("0xZZ"))
    }

    @Test func bigIntegersBecomeDoubles() throws {
        #expect(try value("9223372036854775808") == .double(9223372036854775808))
        #expect(try value("123456789012345678901234567890") == .double(1.2345678901234568e29))
    }

    @Test func floats() throws {
        #expect(try value("1.5") == .double(1.5))
        #expect(try value(".5") == .double(0.5))
        #expect(try value("-2.5e-3") == .double(-0.0025))
        #expect(try value("1.0") == .int(1))
        #expect(try value("1e3") == .int(1000))
        #expect(try value(".inf") == .double(.infinity))
        #expect(try value("-.Inf") == .double(-.infinity))
        #expect(try value("+.INF") == .double(.infinity))
        let nan = try value(".nan")
        guard case .double(let d) = nan else { Issue.record("not a double: \(nan)"); return }
        #expect(d.isNaN)
        #expect(try value("1.2.3") == .string("1.2.3"))
        #expect(try value("1e") == .string("1e"))
        #expect(try value("1e400") == .string("1e400"))
    }

    /// Cases checked against `kubectl`'s own YAML reading (sigs.k8s.io/yaml).
    @Test func oddNumbersAsKubernetesReadsThem() throws {
        let cases: [(String, Value)] = [
            ("1__0", 10), ("1_", 1), ("0x_1F", 31), ("_1", "_1"), ("1.", 1), ("0.", 0), ("00.5", 0.5), ("-0.0", 0),
            ("1_0.5", 10.5), ("1_0e1", 100), (".5e1", 5), ("-0b101", -5), ("+0b101", 5), ("0b102", "0b102"), ("0xg", "0xg"),
            ("007", 7), ("008", 8), ("0O755", 493), ("inf", "inf"), ("Infinity", "Infinity"), ("-1:20", "-1:20"),
            ("0x7FFFFFFFFFFFFFFF", .int(Int64.max)), ("0xFFFFFFFFFFFFFFFF", .double(18446744073709551616.0)),
            ("0x10000000000000000", "0x10000000000000000"), ("-9223372036854775809", .double(-9223372036854775808.0)),
            ("1e21", .double(1e21)), ("1e20", .double(1e20)), ("0.0000001", .double(1e-7)), ("-.", "-."), ("+.", "+."),
        ]
        for (text, expected) in cases {
            #expect(try value(text) == expected, "\(text)")
        }
    }

    @Test func quotedAndBlockScalarsAreStrings() throws {
        #expect(try value("\"true\"") == .string("true"))
        #expect(try value("'42'") == .string("42"))
        #expect(try value("\"\"") == .string(""))
        let documents = try YAMLReader.read("v: |\n  42\nw: >-\n  yes\n", file: "b.yaml")
        #expect(documents[0].value["v"] == .string("42\n"))
        #expect(documents[0].value["w"] == .string("yes"))
    }

    @Test func timestampsStayStrings() throws {
        #expect(try value("2001-12-14") == .string("2001-12-14"))
        #expect(try value("2001-12-14t21:59:43.10-05:00") == .string("2001-12-14t21:59:43.10-05:00"))
    }

    @Test func tags() throws {
        #expect(try value("!!str 42") == .string("42"))
        #expect(try value("!!str yes") == .string("yes"))
        #expect(try value("!!int \"42\"") == .int(42))
        #expect(try value("!!float 2") == .int(2))
        #expect(try value("!!bool \"on\"") == .bool(true))
        #expect(throws: YAMLError.self) { try value("!!int hello") }
    }

    @Test func nonStringKeysBecomeStrings() throws {
        let documents = try YAMLReader.read("1: a\ntrue: b\nno: c\n~: d\n", file: "k.yaml")
        let object = try #require(documents.first?.value.objectValue)
        #expect(object["1"] == .string("a"))
        #expect(object["true"] == .string("b"))
        #expect(object["false"] == .string("c"))
        #expect(object["null"] == .string("d"))
    }
}
