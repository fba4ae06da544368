import Synchronization

/// A compiled RE2-syntax regular expression. Matching is a backtracking search that never revisits
/// a (instruction, position) state, so it runs in time linear in the input for a given pattern.
public struct CELRegex: Sendable {
    enum Inst: Sendable {
        case char(UInt32, foldCase: Bool)
        case any(matchesNewline: Bool)
        case charClass(CharClass)
        /// Try `x` first, then `y`.
        case split(Int, Int)
        case jump(Int)
        case assert(RegexNode.Assertion)
        case match
    }

    let program: [Inst]
    public let pattern: String

    public init(_ pattern: String) throws {
        self.pattern = pattern
        let tree = try RegexParser.parse(pattern)
        // Counted repetitions multiply; check the size before expanding so `((a{1000}){1000}){1000}`
        // is refused instead of exhausting memory.
        guard CELRegex.estimatedSize(tree) < 100_000 else {
            throw CELRegexError(pattern: pattern, reason: "expression too large")
        }
        var b = Builder()
        b.emit(tree)
        b.program.append(.match)
        guard b.program.count < 100_000 else {
            throw CELRegexError(pattern: pattern, reason: "expression too large")
        }
        self.program = b.program
    }

    static func estimatedSize(_ n: RegexNode) -> Int {
        switch n {
        case .empty: return 0
        case .literal, .any, .charClass, .assertion: return 1
        case .concat(let items): return items.reduce(0) { min(1 << 40, $0 + estimatedSize($1)) }
        case .alternate(let branches): return branches.reduce(0) { min(1 << 40, $0 + estimatedSize($1) + 2) }
        case .repeat(let inner, let lo, let hi, _):
            let copies = max(lo, hi ?? lo) + 1
            return min(1 << 40, (estimatedSize(inner) + 1) * copies)
        }
    }

    private struct Builder {
        var program: [Inst] = []

        mutating func emit(_ n: RegexNode) {
            switch n {
            case .empty: break
            case .literal(let c, let f): program.append(.char(c, foldCase: f))
            case .any(let nl): program.append(.any(matchesNewline: nl))
            case .charClass(let c): program.append(.charClass(c))
            case .assertion(let a): program.append(.assert(a))
            case .concat(let items): for it in items { emit(it) }
            case .alternate(let branches):
                var jumps: [Int] = []
                for (k, br) in branches.enumerated() {
                    if k < branches.count - 1 {
                        let split = program.count
                        program.append(.split(0, 0))
                        emit(br)
                        jumps.append(program.count)
                        program.append(.jump(0))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        emit(br)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repeat(let inner, let min, let max, let greedy):
                for _ in 0..<min { emit(inner) }
                if let max {
                    // Each optional copy is nested so that `x{0,3}` stops trying once one copy fails.
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(0, 0))
                        emit(inner)
                    }
                    let end = program.count
                    for s in splits { program[s] = greedy ? .split(s + 1, end) : .split(end, s + 1) }
                } else {
                    let split = program.count
                    program.append(.split(0, 0))
                    emit(inner)
                    program.append(.jump(split))
                    let end = program.count
                    program[split] = greedy ? .split(split + 1, end) : .split(end, split + 1)
                }
            }
        }
    }

    /// Unanchored match, as Go's `MatchString` (and so OpenAPI `pattern`) tests.
    public func matches(_ text: String) -> Bool { firstMatch(in: text) != nil }

    /// The first (leftmost, then highest-priority) match as scalar offsets into `text`.
    public func firstMatch(in text: String) -> Range<Int>? {
        let input = text.unicodeScalars.map(\.value)
        return firstMatch(in: input, from: 0)
    }

    /// All non-overlapping matches, as Go's `FindAllString` returns them (an empty match right after
    /// a previous match is skipped).
    public func allMatches(in text: String, limit: Int = -1) -> [String] {
        let input = text.unicodeScalars.map(\.value)
        var out: [String] = []
        var start = 0
        var prevEnd = -1
        var scratch: [UInt64] = []
        while start <= input.count, limit < 0 || out.count < limit {
            guard let r = firstMatch(in: input, from: start, visited: &scratch) else { break }
            if r.isEmpty && r.lowerBound == prevEnd {
                start = r.lowerBound + 1
                continue
            }
            out.append(String(String.UnicodeScalarView(input[r].compactMap(Unicode.Scalar.init))))
            prevEnd = r.upperBound
            start = r.isEmpty ? r.upperBound + 1 : r.upperBound
        }
        return out
    }

    func firstMatch(in input: [UInt32], from: Int) -> Range<Int>? {
        var visited: [UInt64] = []
        return firstMatch(in: input, from: from, visited: &visited)
    }

    /// `visited` is scratch space, reused across calls by `allMatches` so one buffer serves all.
    func firstMatch(in input: [UInt32], from: Int, visited: inout [UInt64]) -> Range<Int>? {
        let width = input.count + 1
        if program.count * width > CELRegex.backtrackLimit { return pikeMatch(in: input, from: from) }
        let words = (program.count * width + 63) / 64
        if visited.count != words {
            visited = [UInt64](repeating: 0, count: words)
        } else {
            visited.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
        var stack: [(Int, Int)] = []
        for start in from...input.count {
            stack.append((0, start))
            while let (pc0, pos0) = stack.popLast() {
                var pc = pc0
                var pos = pos0
                while true {
                    let bit = pc * width + pos
                    if visited[bit >> 6] & (1 << UInt64(bit & 63)) != 0 { break }
                    visited[bit >> 6] |= 1 << UInt64(bit & 63)
                    switch program[pc] {
                    case .match:
                        return start..<pos
                    case .char(let c, let fold):
                        guard pos < input.count, input[pos] == c || (fold && CELRegex.foldEqual(input[pos], c)) else {
                            break
                        }
                        pc += 1; pos += 1; continue
                    case .any(let nl):
                        guard pos < input.count, nl || input[pos] != 10 else { break }
                        pc += 1; pos += 1; continue
                    case .charClass(let cls):
                        guard pos < input.count, cls.contains(input[pos]) else { break }
                        pc += 1; pos += 1; continue
                    case .split(let x, let y):
                        stack.append((y, pos))
                        pc = x; continue
                    case .jump(let x):
                        pc = x; continue
                    case .assert(let a):
                        guard CELRegex.holds(a, input, pos) else { break }
                        pc += 1; continue
                    }
                    break
                }
            }
        }
        return nil
    }

    static func foldEqual(_ a: UInt32, _ b: UInt32) -> Bool {
        guard let x = Unicode.Scalar(a), let y = Unicode.Scalar(b) else { return false }
        return x.properties.lowercaseMapping == y.properties.lowercaseMapping
    }

    private static func isWord(_ c: UInt32) -> Bool {
        (48...57).contains(c) || (65...90).contains(c) || (97...122).contains(c) || c == 95
    }

    static func holds(_ a: RegexNode.Assertion, _ input: [UInt32], _ pos: Int) -> Bool {
        switch a {
        case .textStart: return pos == 0
        case .textEnd: return pos == input.count
        case .lineStart: return pos == 0 || input[pos - 1] == 10
        case .lineEnd: return pos == input.count || input[pos] == 10
        case .wordBoundary, .notWordBoundary:
            let before = pos > 0 && isWord(input[pos - 1])
            let after = pos < input.count && isWord(input[pos])
            return (before != after) == (a == .wordBoundary)
        }
    }
}

/// Patterns compiled once and reused; CEL rules usually pass the same literal pattern every time.
final class RegexCache: Sendable {
    static let shared = RegexCache()
    private let cache = Mutex<[String: CELRegex]>([:])

    func regex(_ pattern: String) throws -> CELRegex {
        if let r = cache.withLock({ $0[pattern] }) { return r }
        let r: CELRegex
        do { r = try CELRegex(pattern) } catch let e as CELRegexError {
            throw CELEvalError.general(e.description)
        }
        cache.withLock { c in
            if c.count > 1000 { c.removeAll() }
            c[pattern] = r
        }
        return r
    }
}
