import Testing
@testable import XfnCEL

/// Hostile or malformed input must produce errors, never crashes or runaway recursion.
@Suite struct RobustnessTests {
    /// A fixed-seed generator so failures reproduce.
    private struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomExpressionsNeverCrash() {
        let pieces = ["1", "2u", "3.5", "'s'", "b'x'", "x", "y", "[", "]", "{", "}", "(", ")", ".", ",", ":", "?",
                      "+", "-", "*", "/", "%", "==", "<", "!", "&&", "||", " in ", "size", "all", "map", "filter",
                      "has", ".?", "[?", "r'\\'", "'''", "\"", "\\", "`", "0x", "e", "null", "true", "optional.of",
                      "exists", "matches", "'[a-", "int", "-9223372036854775808", "18446744073709551615u", "dyn"]
        var rng = SplitMix(state: 42)
        var compiled = 0
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<Int.random(in: 1...14, using: &rng) { s += pieces.randomElement(using: &rng)! }
            // The checker must reject or accept, never crash, whatever it is given.
            _ = try? CEL.compile(s, declarations: ["x": .list(.dyn), "y": .map(.string, .int)],
                                 homogeneousLiterals: Bool.random(using: &rng))
            guard let p = try? CEL.compile(s) else { continue }
            compiled += 1
            _ = try? p.evaluate(["x": .list([.int(1), .string("a")]), "y": .map(CELMap())], budget: 10_000)
        }
        #expect(compiled > 100)
    }

    @Test func randomPatternsNeverCrash() {
        let pieces = ["a", "b", ".", "*", "+", "?", "{2}", "{1,", "}", "(", ")", "(?:", "(?i)", "[", "]", "^", "$",
                      "\\", "\\d", "\\pL", "\\p{Greek}", "|", "-", "[:alpha:]", "\\b", "\\x{41}", "\\Q", "\\E", "é"]
        var rng = SplitMix(state: 7)
        for _ in 0..<3000 {
            var p = ""
            for _ in 0..<Int.random(in: 1...10, using: &rng) { p += pieces.randomElement(using: &rng)! }
            if let re = try? CELRegex(p) { _ = re.allMatches(in: "ab-aé\nB12 xyz") }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        #expect(throws: CELParseError.self) { try CEL.compile(deep) }
        let longChain = Array(repeating: "1", count: 5000).joined(separator: " + ")
        #expect(throws: CELParseError.self) { try CEL.compile(longChain) }
        let longSelect = "x" + String(repeating: ".a", count: 5000)
        #expect(throws: CELParseError.self) { try CEL.compile(longSelect) }
        #expect(throws: CELParseError.self) { try CEL.compile("'" + String(repeating: "x", count: 100_001) + "'") }
        let ok = String(repeating: "[", count: 40) + "1" + String(repeating: "]", count: 40)
        #expect(try CEL.compile(ok).evaluate([:] as [String: CELValue]).debugText.hasPrefix("[[[["))
        let sum = Array(repeating: "1", count: 240).joined(separator: " + ")
        #expect(try evaluate(sum).debugText == "240")
        let nestedCalls = String(repeating: "size([", count: 30) + "1" + String(repeating: "])", count: 30)
        #expect(try evaluate(nestedCalls).debugText == "1")
        let terms = Array(repeating: "false", count: 100).joined(separator: " || ") + " || true"
        #expect(try evaluate(terms).boolValue == true)
    }

    @Test func breadthFirstMatcherAgreesWithBacktracker() {
        let pieces = ["a", "b", ".", "*", "+", "?", "{2}", "{1,3}", "(", ")", "(?:", "[ab]", "^", "$", "\\b", "|",
                      "(?i)", "\\d", "x*?", "a+?"]
        let inputs = ["", "ab", "aab ba", "xXaB1 b", "bbbbaaaa", "a\nb", "ab12ab"].map { Array($0.unicodeScalars.map(\.value)) }
        var rng = SplitMix(state: 99)
        var compared = 0
        for _ in 0..<3000 {
            var p = ""
            for _ in 0..<Int.random(in: 1...8, using: &rng) { p += pieces.randomElement(using: &rng)! }
            guard let re = try? CELRegex(p) else { continue }
            for input in inputs {
                for from in [0, min(1, input.count)] {
                    #expect(re.firstMatch(in: input, from: from) == re.pikeMatch(in: input, from: from), "\(p)")
                    compared += 1
                }
            }
        }
        #expect(compared > 1000)
    }

    @Test func longInputsUseBoundedMemory() throws {
        let re = try CELRegex("(x|y|z)+q")
        let input = String(repeating: "xyz", count: 150_000) + "q"
        #expect(re.firstMatch(in: input) == 0..<450_001)
    }

    @Test func hugeRepetitionsAreRefused() {
        #expect(throws: CELRegexError.self) { try CELRegex("((a{1000}){1000}){1000}") }
        #expect(throws: CELRegexError.self) { try CELRegex(String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300)) }
    }

    @Test func pathologicalRegexStaysLinear() throws {
        let re = try CELRegex("(a*)*b")
        let input = String(repeating: "a", count: 3000)
        #expect(re.firstMatch(in: input) == nil)
        #expect(try CELRegex("(x+x+)+y").firstMatch(in: String(repeating: "x", count: 500)) == nil)
    }
}
