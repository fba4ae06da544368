import Testing
@testable import XfnCEL

@Suite struct LexerTests {
    private func kinds(_ s: String) throws -> [Token.Kind] {
        var lexer = Lexer(s)
        return try lexer.tokenize().map(\.kind).dropLast()
    }

    @Test func numbers() throws {
        #expect(try kinds("0x1F 0x1Fu 42u 1e3 .5 2.5e-1") == [.int(31), .uint(31), .uint(42), .double(1000), .double(0.5), .double(0.25)])
        #expect(try kinds("9223372036854775808") == [.intOverflow("9223372036854775808")])
        #expect(try kinds("18446744073709551615u") == [.uint(UInt64.max)])
        #expect(throws: CELParseError.self) { try kinds("18446744073709551616u") }
    }

    @Test func stringForms() throws {
        #expect(try kinds(#"'a' "b" '''c'd''' """e"f""""#) == [.string("a"), .string("b"), .string("c'd"), .string("e\"f")])
        #expect(try kinds(#"r'\n' R"\d""#) == [.string("\\n"), .string("\\d")])
        #expect(try kinds(#"r'\' '\''"#) == [.string("\\"), .string("'")], "raw strings have no escapes at all")
        #expect(try kinds(#"b'\xff\377' B"é""#) == [.bytes([0xFF, 0xFF]), .bytes([0xC3, 0xA9])])
        #expect(try kinds(#"'\a\b\f\n\r\t\v\\\?\"\'\`'"#) == [.string("\u{07}\u{08}\u{0C}\n\r\t\u{0B}\\?\"'`")])
        #expect(try kinds(#"'\x41\101\u0041\U00000041'"#) == [.string("AAAA")])
        #expect(try kinds(#"'\303\277'"#) == [.string("Ã¿")], "octal escapes in strings are code points")
        #expect(try kinds("'''line\nbreak'''") == [.string("line\nbreak")])
    }

    @Test func stringErrors() {
        #expect(throws: CELParseError.self) { try kinds("'unterminated") }
        #expect(throws: CELParseError.self) { try kinds("'new\nline'") }
        #expect(throws: CELParseError.self) { try kinds(#"'\q'"#) }
        #expect(throws: CELParseError.self) { try kinds(#"'\400'"#) }
        #expect(throws: CELParseError.self) { try kinds(#"'\ud800'"#) }
        #expect(throws: CELParseError.self) { try kinds(#"b'\u00e9'"#) }
    }

    @Test func punctuationAndKeywords() throws {
        #expect(try kinds("a.?b[?0] in x // comment") == [
            .ident("a"), .punct(".?"), .ident("b"), .punct("[?"), .int(0), .punct("]"), .punct("in"), .ident("x"),
        ])
        #expect(try kinds("a.`b-c`") == [.ident("a"), .punct("."), .quotedIdent("b-c")])
        #expect(throws: CELParseError.self) { try kinds("a = b") }
        #expect(throws: CELParseError.self) { try kinds("a # b") }
    }

    @Test func parseErrorCarriesLineAndColumn() {
        do {
            _ = try CEL.compile("self.a &&\n  self.b ==")
            Issue.record("expected a parse error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 12)
            #expect(error.offset == 21)
            #expect(error.message.contains("2:12"))
            #expect(error.hint?.contains("^") == true)
        }
    }

    @Test func reservedWords() throws {
        #expect(throws: CELParseError.self) { try CEL.compile("if") }
        #expect(throws: CELParseError.self) { try CEL.compile("package.x") }
        // After a dot they are ordinary field names.
        try expectTrue("{'if': true}.if")
    }
}
