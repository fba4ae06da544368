/// Parsed regular expression in RE2 syntax. RE2 has no backreferences or lookaround, which keeps
/// matching linear-time; this parser rejects those constructs instead of guessing.
indirect enum RegexNode: Sendable {
    case empty
    case literal(UInt32, foldCase: Bool)
    case any(matchesNewline: Bool)
    case charClass(CharClass)
    case concat([RegexNode])
    case alternate([RegexNode])
    case `repeat`(RegexNode, min: Int, max: Int?, greedy: Bool)
    case assertion(Assertion)

    enum Assertion: Sendable {
        case lineStart, lineEnd, textStart, textEnd, wordBoundary, notWordBoundary
    }
}

/// A set of scalars: ranges plus Unicode general-category tests, possibly negated.
struct CharClass: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var categories: [@Sendable (Unicode.Scalar) -> Bool] = []
    var negated = false
    var foldCase = false

    func contains(_ c: UInt32) -> Bool {
        var hit = test(c)
        if !hit, foldCase, let s = Unicode.Scalar(c) {
            for alt in [s.properties.lowercaseMapping, s.properties.uppercaseMapping] {
                let us = alt.unicodeScalars
                if us.count == 1, let f = us.first, f.value != c, test(f.value) { hit = true; break }
            }
        }
        return hit != negated
    }

    private func test(_ c: UInt32) -> Bool {
        for r in ranges where r.contains(c) { return true }
        if !categories.isEmpty, let s = Unicode.Scalar(c) {
            for cat in categories where cat(s) { return true }
        }
        return false
    }
}

public struct CELRegexError: Error, Sendable, CustomStringConvertible {
    public let pattern: String
    public let reason: String
    public var description: String { "error parsing regexp: \(reason): `\(pattern)`" }
}

struct RegexParser {
    private let scalars: [UInt32]
    private let pattern: String
    private var i = 0
    private var foldCase = false
    private var multiLine = false
    private var dotNL = false
    private var ungreedy = false

    init(_ pattern: String) {
        self.pattern = pattern
        self.scalars = pattern.unicodeScalars.map(\.value)
    }

    static func parse(_ pattern: String) throws -> RegexNode {
        var p = RegexParser(pattern)
        let node = try p.alternation(depth: 0)
        if p.i < p.scalars.count { throw p.fail("unexpected )") }
        return node
    }

    private func fail(_ reason: String) -> CELRegexError { CELRegexError(pattern: pattern, reason: reason) }

    private var atEnd: Bool { i >= scalars.count }
    private func peek(_ k: Int = 0) -> UInt32? { i + k < scalars.count ? scalars[i + k] : nil }
    private func isChar(_ c: Character, _ k: Int = 0) -> Bool { peek(k) == c.unicodeScalars.first!.value }

    private mutating func alternation(depth: Int) throws -> RegexNode {
        guard depth < 250 else { throw fail("expression nests too deeply") }
        var branches = [try concatenation(depth: depth)]
        while isChar("|") {
            i += 1
            branches.append(try concatenation(depth: depth))
        }
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private mutating func concatenation(depth: Int) throws -> RegexNode {
        var items: [RegexNode] = []
        while !atEnd, !isChar("|"), !isChar(")") {
            if isChar("\\"), isChar("Q", 1) {
                // `\Q…\E` is a run of literals; a following repetition applies to the last one only.
                i += 2
                while !atEnd {
                    if isChar("\\"), isChar("E", 1) { i += 2; break }
                    items.append(.literal(scalars[i], foldCase: foldCase))
                    i += 1
                }
                if let last = items.popLast() { items.append(try quantifiers(last)) }
                continue
            }
            var atom = try self.atom(depth: depth)
            guard let a = atom else { continue }
            atom = try quantifiers(a)
            items.append(atom!)
        }
        return items.count == 1 ? items[0] : items.isEmpty ? .empty : .concat(items)
    }

    private mutating func quantifiers(_ base: RegexNode) throws -> RegexNode {
        var node = base
        var quantified = false
        while let c = peek() {
            var min = 0
            var max: Int?
            switch Unicode.Scalar(c)! {
            case "*": min = 0; max = nil; i += 1
            case "+": min = 1; max = nil; i += 1
            case "?": min = 0; max = 1; i += 1
            case "{":
                guard let (lo, hi, len) = counted() else { return node }
                min = lo; max = hi; i += len
                guard lo <= 1000, (hi ?? 0) <= 1000, hi.map({ $0 >= lo }) ?? true else {
                    throw fail("invalid repeat count")
                }
            default: return node
            }
            if quantified { throw fail("invalid nested repetition operator") }
            if case .empty = node { throw fail("missing argument to repetition operator") }
            if case .assertion = node { /* RE2 allows repeating empty-width assertions */ }
            var greedy = true
            if isChar("?") { greedy = false; i += 1 }
            if ungreedy { greedy.toggle() }
            node = .repeat(node, min: min, max: max, greedy: greedy)
            quantified = true
        }
        return node
    }

    /// `{n}`, `{n,}`, `{n,m}` at `i`; nil when the brace is a literal.
    private func counted() -> (Int, Int?, Int)? {
        var k = i + 1
        func number() -> Int? {
            var v = 0
            var any = false
            while k < scalars.count, let d = Unicode.Scalar(scalars[k]), d.properties.numericType == .decimal,
                  d.isASCII
            {
                v = min(v * 10 + Int(d.value - 48), 100_000)
                any = true
                k += 1
            }
            return any ? v : nil
        }
        guard let lo = number() else { return nil }
        var hi: Int? = lo
        if k < scalars.count, scalars[k] == 0x2C {
            k += 1
            hi = number()
        }
        guard k < scalars.count, scalars[k] == 0x7D else { return nil }
        return (lo, hi, k - i + 1)
    }

    private mutating func atom(depth: Int) throws -> RegexNode? {
        let c = scalars[i]
        switch Unicode.Scalar(c)! {
        case "(":
            i += 1
            if isChar("?") {
                if isChar("P", 1) || isChar("<", 1) {
                    if isChar("<", 1), isChar("=", 2) || isChar("!", 2) {
                        throw fail("invalid or unsupported Perl syntax: `(?<`")
                    }
                    // Named group: skip the name; captures are not reported.
                    while !atEnd, !isChar(">") { i += 1 }
                    guard !atEnd else { throw fail("invalid named capture") }
                    i += 1
                    return try group(depth: depth)
                }
                i += 1
                var on = true
                var flags: [(Character, Bool)] = []
                while let f = peek() {
                    let ch = Character(Unicode.Scalar(f)!)
                    if ch == ")" || ch == ":" { break }
                    switch ch {
                    case "-": on = false
                    case "i", "m", "s", "U": flags.append((ch, on))
                    default: throw fail("invalid or unsupported Perl syntax: `(?\(ch)`")
                    }
                    i += 1
                }
                guard let end = peek() else { throw fail("missing closing )") }
                let saved = (foldCase, multiLine, dotNL, ungreedy)
                for (f, v) in flags {
                    switch f {
                    case "i": foldCase = v
                    case "m": multiLine = v
                    case "s": dotNL = v
                    default: ungreedy = v
                    }
                }
                i += 1
                if end == 0x29 { return nil }  // `(?i)` applies to the rest of the group
                let inner = try group(depth: depth)
                (foldCase, multiLine, dotNL, ungreedy) = saved
                return inner
            }
            return try group(depth: depth)
        case ")": throw fail("unexpected )")
        case "|": return .empty
        case "*", "+", "?": throw fail("missing argument to repetition operator: `\(Unicode.Scalar(c)!)`")
        case ".": i += 1; return .any(matchesNewline: dotNL)
        case "^": i += 1; return .assertion(multiLine ? .lineStart : .textStart)
        case "$": i += 1; return .assertion(multiLine ? .lineEnd : .textEnd)
        case "[": return .charClass(try bracket())
        case "\\": return try escape()
        default:
            i += 1
            return .literal(c, foldCase: foldCase)
        }
    }

    private mutating func group(depth: Int) throws -> RegexNode {
        let saved = (foldCase, multiLine, dotNL, ungreedy)
        let inner = try alternation(depth: depth + 1)
        (foldCase, multiLine, dotNL, ungreedy) = saved
        guard isChar(")") else { throw fail("missing closing )") }
        i += 1
        return inner
    }

    private mutating func escape() throws -> RegexNode {
        i += 1
        guard let c = peek() else { throw fail("trailing backslash at end of expression") }
        let ch = Character(Unicode.Scalar(c)!)
        switch ch {
        case "A": i += 1; return .assertion(.textStart)
        case "z": i += 1; return .assertion(.textEnd)
        case "b": i += 1; return .assertion(.wordBoundary)
        case "B": i += 1; return .assertion(.notWordBoundary)
        case "1"..."9": throw fail("invalid escape sequence: `\\\(ch)` (backreferences are not supported)")
        default:
            i -= 1
            if let cls = try classEscape() {
                var c2 = cls
                c2.foldCase = foldCase
                return .charClass(c2)
            }
            return .literal(try escapedScalar(), foldCase: foldCase)
        }
    }

    /// `\d \w \s \pX \p{Name}` and their negations; nil if the escape is a single character.
    private mutating func classEscape() throws -> CharClass? {
        guard isChar("\\"), let c = peek(1) else { return nil }
        var cls = CharClass()
        switch Character(Unicode.Scalar(c)!) {
        case "d", "D": cls.ranges = [48...57]
        case "w", "W": cls.ranges = [48...57, 65...90, 95...95, 97...122]
        case "s", "S": cls.ranges = [9...10, 12...13, 32...32]
        case "p", "P":
            i += 2
            var name = ""
            if isChar("{") {
                i += 1
                while let d = peek(), d != 0x7D { name.unicodeScalars.append(Unicode.Scalar(d)!); i += 1 }
                guard !atEnd else { throw fail("invalid character class range") }
                i += 1
            } else {
                guard let d = peek() else { throw fail("invalid character class range") }
                name = String(Unicode.Scalar(d)!)
                i += 1
            }
            var negate = c == 0x50
            if name.hasPrefix("^") { negate.toggle(); name.removeFirst() }
            guard let test = RegexParser.unicodeClass(name) else {
                throw fail("invalid character class range: `\\p{\(name)}`")
            }
            cls.categories = [test]
            cls.negated = negate
            return cls
        default: return nil
        }
        cls.negated = Unicode.Scalar(c)!.properties.isUppercase
        i += 2
        return cls
    }

    static func unicodeClass(_ name: String) -> (@Sendable (Unicode.Scalar) -> Bool)? {
        typealias GC = Unicode.GeneralCategory
        let groups: [String: [GC]] = [
            "L": [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter],
            "Lu": [.uppercaseLetter], "Ll": [.lowercaseLetter], "Lt": [.titlecaseLetter],
            "Lm": [.modifierLetter], "Lo": [.otherLetter],
            "M": [.nonspacingMark, .spacingMark, .enclosingMark], "Mn": [.nonspacingMark],
            "N": [.decimalNumber, .letterNumber, .otherNumber], "Nd": [.decimalNumber], "Nl": [.letterNumber],
            "No": [.otherNumber],
            "P": [.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                  .initialPunctuation, .finalPunctuation, .otherPunctuation],
            "S": [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol], "Sm": [.mathSymbol],
            "Sc": [.currencySymbol],
            "Z": [.spaceSeparator, .lineSeparator, .paragraphSeparator], "Zs": [.spaceSeparator],
            "C": [.control, .format, .surrogate, .privateUse, .unassigned], "Cc": [.control],
        ]
        if let cats = groups[name] { return { cats.contains($0.properties.generalCategory) } }
        let scripts: [String: [ClosedRange<UInt32>]] = [
            "Greek": [0x370...0x3FF, 0x1F00...0x1FFF],
            "Latin": [0x41...0x5A, 0x61...0x7A, 0xAA...0xAA, 0xBA...0xBA, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F,
                      0x1E00...0x1EFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFF21...0xFF3A, 0xFF41...0xFF5A],
            "Any": [0...0x10FFFF],
            "Cyrillic": [0x400...0x52F], "Han": [0x2E80...0x2FDF, 0x3005...0x3007, 0x3400...0x4DBF, 0x4E00...0x9FFF],
            "Hiragana": [0x3041...0x309F], "Katakana": [0x30A0...0x30FF], "Arabic": [0x600...0x6FF],
            "Hebrew": [0x591...0x5F4],
        ]
        if let r = scripts[name] { return { s in r.contains { $0.contains(s.value) } } }
        return nil
    }

    private mutating func escapedScalar() throws -> UInt32 {
        i += 1  // backslash
        guard let c = peek() else { throw fail("trailing backslash at end of expression") }
        i += 1
        switch Character(Unicode.Scalar(c)!) {
        case "n": return 10
        case "t": return 9
        case "r": return 13
        case "f": return 12
        case "v": return 11
        case "a": return 7
        case "0"..."7":
            var v = c - 48
            var n = 1
            while n < 3, let d = peek(), d >= 48, d <= 55 { v = v * 8 + d - 48; i += 1; n += 1 }
            return v
        case "x":
            if isChar("{") {
                i += 1
                var v: UInt32 = 0
                while let d = peek(), d != 0x7D {
                    guard let h = Character(Unicode.Scalar(d)!).hexDigitValue else { throw fail("invalid escape") }
                    v = v * 16 + UInt32(h)
                    guard v <= 0x10FFFF else { throw fail("invalid escape") }
                    i += 1
                }
                guard !atEnd else { throw fail("invalid escape") }
                i += 1
                return v
            }
            var v: UInt32 = 0
            for _ in 0..<2 {
                guard let d = peek(), let h = Character(Unicode.Scalar(d)!).hexDigitValue else {
                    throw fail("invalid escape sequence")
                }
                v = v * 16 + UInt32(h)
                i += 1
            }
            return v
        default:
            // Only punctuation may be escaped to stand for itself.
            guard c < 0x80, let s = Unicode.Scalar(c), !s.properties.isAlphabetic, !(48...57).contains(c) else {
                throw fail("invalid escape sequence: `\\\(Unicode.Scalar(c)!)`")
            }
            return c
        }
    }

    private static let posix: [String: [ClosedRange<UInt32>]] = [
        "alnum": [48...57, 65...90, 97...122], "alpha": [65...90, 97...122], "ascii": [0...127],
        "blank": [9...9, 32...32], "cntrl": [0...31, 127...127], "digit": [48...57], "graph": [33...126],
        "lower": [97...122], "print": [32...126], "punct": [33...47, 58...64, 91...96, 123...126],
        "space": [9...13, 32...32], "upper": [65...90], "word": [48...57, 65...90, 95...95, 97...122],
        "xdigit": [48...57, 65...70, 97...102],
    ]

    private mutating func bracket() throws -> CharClass {
        i += 1
        var cls = CharClass()
        cls.foldCase = foldCase
        if isChar("^") { cls.negated = true; i += 1 }
        var first = true
        while true {
            guard let c = peek() else { throw fail("missing closing ]") }
            if c == 0x5D, !first { i += 1; break }
            first = false
            if isChar("["), isChar(":", 1) {
                let start = i + 2
                var k = start
                while k < scalars.count, scalars[k] != 0x3A { k += 1 }
                var name = String(String.UnicodeScalarView(scalars[start..<k].compactMap(Unicode.Scalar.init)))
                let neg = name.hasPrefix("^")
                if neg { name.removeFirst() }
                guard k + 1 < scalars.count, scalars[k + 1] == 0x5D, let r = RegexParser.posix[name] else {
                    throw fail("invalid character class range")
                }
                i = k + 2
                if neg {
                    cls.categories.append { s in !r.contains { $0.contains(s.value) } }
                } else {
                    cls.ranges += r
                }
                continue
            }
            if isChar("\\"), let sub = try classEscape() {
                if sub.negated {
                    cls.categories.append { s in !sub.contains(s.value) }
                } else {
                    cls.ranges += sub.ranges
                    cls.categories += sub.categories
                }
                continue
            }
            let lo = isChar("\\") ? try escapedScalar() : { i += 1; return c }()
            if isChar("-"), let next = peek(1), next != 0x5D {
                i += 1
                let hi = isChar("\\") ? try escapedScalar() : { i += 1; return next }()
                guard lo <= hi else { throw fail("invalid character class range") }
                cls.ranges.append(lo...hi)
            } else {
                cls.ranges.append(lo...lo)
            }
        }
        return cls
    }
}
