import Foundation

/// A `pattern` with Go `regexp` (RE2) meaning, run on ICU: the pattern is checked for constructs RE2
/// rejects (look-around, back-references, possessive and atomic groups) and rewritten where the two
/// dialects read the same text differently (`\d`, `\w`, `\s`, `\b` are ASCII in RE2; `$` is the end of
/// the text; `[` and `&&` are literal inside classes; `(?P<name>`).
public final class GoRegex: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented as safe to share across threads.
    private let expression: NSRegularExpression
    public let source: String

    public struct SyntaxError: Error, Equatable {
        /// Go's wording, e.g. "invalid or unsupported Perl syntax: `(?=`".
        public let reason: String
    }

    public init(_ pattern: String) throws(SyntaxError) {
        source = pattern
        let translated = try Self.translate(pattern)
        do {
            expression = try NSRegularExpression(pattern: translated, options: [])
        } catch {
            throw SyntaxError(reason: "invalid pattern `\(pattern)`")
        }
    }

    /// Unanchored search, as Go's `MatchString`.
    public func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    static func translate(_ pattern: String) throws(SyntaxError) -> String {
        let chars = Array(pattern.unicodeScalars)
        var out = ""
        var i = 0
        var multiLine = false
        func peek(_ offset: Int) -> Unicode.Scalar? { i + offset < chars.count ? chars[i + offset] : nil }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                guard let next = peek(1) else { throw SyntaxError(reason: "trailing backslash at end of expression: ``") }
                switch next {
                case "d": out += "[0-9]"
                case "D": out += "[^0-9]"
                case "w": out += "[0-9A-Za-z_]"
                case "W": out += "[^0-9A-Za-z_]"
                case "s": out += "[\\t\\n\\f\\r ]"
                case "S": out += "[^\\t\\n\\f\\r ]"
                case "b": out += "(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"
                case "B": out += "(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))"
                case "1"..."9", "k", "g", "Z", "G", "X", "R", "h", "H", "K", "N", "V", "e", "c", "u", "U", "o":
                    throw SyntaxError(reason: "invalid escape sequence: `\\\(next)`")
                case "Q":
                    // Literal text up to \E.
                    var j = i + 2
                    while j < chars.count, !(chars[j] == "\\" && j + 1 < chars.count && chars[j + 1] == "E") {
                        out += NSRegularExpression.escapedPattern(for: String(chars[j]))
                        j += 1
                    }
                    i = min(j + 2, chars.count)
                    continue
                default:
                    out += "\\" + String(next)
                }
                i += 2
                continue
            case "$":
                out += multiLine ? "$" : "(?!(?s:.))"
            case "[":
                let (text, end) = try translateClass(chars, from: i)
                out += text
                i = end
                continue
            case "(":
                if peek(1) == "?" {
                    let rest = String(String.UnicodeScalarView(chars[(i + 1)...].prefix(4)))
                    if rest.hasPrefix("?=") || rest.hasPrefix("?!") || rest.hasPrefix("?<=") || rest.hasPrefix("?<!") || rest.hasPrefix("?>") || rest.hasPrefix("?#") {
                        let shown = rest.hasPrefix("?<") ? String(rest.prefix(3)) : String(rest.prefix(2))
                        throw SyntaxError(reason: "invalid or unsupported Perl syntax: `(\(shown)`")
                    }
                    if rest.hasPrefix("?P<") {
                        out += "(?<"
                        i += 4
                        continue
                    }
                    // Flag groups: RE2 knows i, m, s, U.
                    var j = i + 2
                    var flags = ""
                    while j < chars.count, chars[j] != ")", chars[j] != ":" { flags.unicodeScalars.append(chars[j]); j += 1 }
                    if flags.contains("m") && !flags.hasPrefix("-") { multiLine = true }
                    if flags.contains("U") { throw SyntaxError(reason: "invalid or unsupported Perl syntax: `(?U`") }
                }
                out.unicodeScalars.append(c)
            case "*", "+", "?", "}":
                out.unicodeScalars.append(c)
                if let next = peek(1), next == "+" {
                    throw SyntaxError(reason: "invalid nested repetition operator: `\(c)+`")
                }
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        return out
    }

    private static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t ", "cntrl": "\\x00-\\x1F\\x7F",
        "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
        "space": "\\t\\n\\x0B\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
    ]

    /// Copies a bracket expression, escaping what ICU would read as set operators.
    private static func translateClass(_ chars: [Unicode.Scalar], from start: Int) throws(SyntaxError) -> (String, Int) {
        var out = "["
        var i = start + 1
        if i < chars.count, chars[i] == "^" { out += "^"; i += 1 }
        var first = true
        while i < chars.count {
            let c = chars[i]
            if c == "]" && !first { return (out + "]", i + 1) }
            first = false
            switch c {
            case "[":
                if i + 1 < chars.count, chars[i + 1] == ":" {
                    var j = i + 2
                    var name = ""
                    while j < chars.count, chars[j] != ":" { name.unicodeScalars.append(chars[j]); j += 1 }
                    if j + 1 < chars.count, chars[j + 1] == "]" {
                        var negate = false
                        if name.hasPrefix("^") { negate = true; name.removeFirst() }
                        guard let members = posixClasses[name] else {
                            throw SyntaxError(reason: "invalid character class range: `[:\(name):]`")
                        }
                        if negate {
                            // ICU nests sets; RE2's negated POSIX class inside a class is a set difference.
                            out += "[^\(members)]"
                        } else {
                            out += members
                        }
                        i = j + 2
                        continue
                    }
                }
                out += "\\["
            case "&":
                out += "\\&"
            case "\\":
                guard i + 1 < chars.count else { throw SyntaxError(reason: "missing closing ]: `\(String(String.UnicodeScalarView(chars[start...])))`") }
                let next = chars[i + 1]
                switch next {
                case "d": out += "0-9"
                case "w": out += "0-9A-Za-z_"
                case "s": out += "\\t\\n\\f\\r "
                case "D": out += "[^0-9]"
                case "W": out += "[^0-9A-Za-z_]"
                case "S": out += "[^\\t\\n\\f\\r ]"
                default: out += "\\" + String(next)
                }
                i += 2
                continue
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        throw SyntaxError(reason: "missing closing ]: `\(String(String.UnicodeScalarView(chars[start...])))`")
    }
}
