import XfnCEL
import Testing
@testable import XfnSchema

/// `pattern` follows Go RE2, not ICU.
@Suite struct PatternTests {
    private func matches(_ pattern: String, _ text: String) throws -> Bool {
        try CELRegex(pattern).matches(text)
    }

    @Test func unanchoredSearch() throws {
        #expect(try matches("b", "abc"))
        #expect(try !matches("^b", "abc"))
    }

    @Test func dollarIsTheEndOfText() throws {
        // ICU's `$` also matches before a final newline; RE2's does not.
        #expect(try !matches("^abc$", "abc\n"))
        #expect(try matches("^abc$", "abc"))
        #expect(try matches("(?m)^abc$", "abc\nxyz"))
    }

    @Test func perlClassesAreASCII() throws {
        #expect(try !matches(#"^\d+$"#, "١٢٣"))
        #expect(try matches(#"^\d+$"#, "123"))
        #expect(try !matches(#"^\w+$"#, "héllo"))
        #expect(try matches(#"^[\w-]+$"#, "a-b_c"))
        #expect(try matches(#"^\s$"#, " "))
        #expect(try !matches(#"^\s$"#, "\u{A0}"))
        #expect(try matches(#"\bfoo\b"#, "a foo b"))
        #expect(try !matches(#"\bfoo\b"#, "afoob"))
    }

    @Test func classesKeepRE2Meaning() throws {
        #expect(try matches("^[[:alpha:]]+$", "abcXYZ"))
        #expect(try !matches("^[[:alpha:]]+$", "ab1"))
        #expect(try matches("^[a&&b]+$", "&&ab"))
        #expect(try matches("^[[]$", "["))
        #expect(try matches(#"^(?P<year>\d{4})$"#, "2024"))
        #expect(try matches(#"^\Qa.b\E$"#, "a.b"))
        #expect(try !matches(#"^\Qa.b\E$"#, "axb"))
    }

    @Test func unsupportedSyntaxIsRejected() {
        for pattern in ["(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", #"(a)\1"#, "a++", "(?>a)", "[a", "(a"] {
            #expect(throws: CELRegexError.self, "\(pattern)") { try CELRegex(pattern) }
        }
    }

    @Test func kubernetesStylePatterns() throws {
        let dns = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
        #expect(try matches(dns, "my-app.example.com"))
        #expect(try !matches(dns, "My-App"))
        #expect(try matches(#"^arn:aws:iam::\d{12}:role/.+$"#, "arn:aws:iam::123456789012:role/x"))
    }
}
