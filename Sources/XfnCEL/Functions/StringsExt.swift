import Foundation

/// cel-go's strings extension, version 2 as Kubernetes enables it: `charAt`, `indexOf`,
/// `lastIndexOf`, `lowerAscii`, `upperAscii`, `replace`, `split`, `substring`, `trim`, `join`,
/// `strings.quote` and `format`. Indexes count code points.
enum StringsExt {
    static var functions: [CELFunction] {
        [
            CELFunction("charAt", .receiver, arity: 2...2) { a in
                guard case .string(let s) = a[0], case .int(let i) = a[1] else { throw CELEvalError.noOverload("charAt") }
                let u = Array(s.unicodeScalars)
                guard i >= 0, i <= u.count else { throw CELEvalError.general("index out of range: \(i)") }
                return .string(i == u.count ? "" : String(Character(u[Int(i)])))
            },
            CELFunction("indexOf", .receiver, arity: 2...3, cost: .receiverWalk) { a in
                guard case .string(let s) = a[0], case .string(let t) = a[1] else { throw CELEvalError.noOverload("indexOf") }
                let hay = Array(s.unicodeScalars)
                var start = 0
                if a.count == 3 {
                    guard case .int(let i) = a[2] else { throw CELEvalError.noOverload("indexOf") }
                    guard i >= 0, i <= hay.count else { throw CELEvalError.general("index out of range: \(i)") }
                    start = Int(i)
                }
                return .int(Int64(find(Array(t.unicodeScalars), in: hay, from: start, backward: false)))
            },
            CELFunction("lastIndexOf", .receiver, arity: 2...3, cost: .receiverWalk) { a in
                guard case .string(let s) = a[0], case .string(let t) = a[1] else {
                    throw CELEvalError.noOverload("lastIndexOf")
                }
                let hay = Array(s.unicodeScalars)
                var start = hay.count
                if a.count == 3 {
                    guard case .int(let i) = a[2] else { throw CELEvalError.noOverload("lastIndexOf") }
                    guard i >= 0, i <= hay.count else { throw CELEvalError.general("index out of range: \(i)") }
                    start = Int(i)
                }
                return .int(Int64(find(Array(t.unicodeScalars), in: hay, from: start, backward: true)))
            },
            CELFunction("lowerAscii", .receiver, arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("lowerAscii") }
                return .string(mapASCII(s) { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
            },
            CELFunction("upperAscii", .receiver, arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("upperAscii") }
                return .string(mapASCII(s) { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
            },
            CELFunction("replace", .receiver, arity: 3...4, cost: .linearTwice) { a in
                guard a.count >= 3, case .string(let s) = a[0], case .string(let old) = a[1],
                      case .string(let new) = a[2] else { throw CELEvalError.noOverload("replace") }
                var n = -1
                if a.count == 4 {
                    guard case .int(let k) = a[3] else { throw CELEvalError.noOverload("replace") }
                    n = k < 0 ? -1 : Int(clamping: k)
                }
                return .string(replace(s, old, new, n))
            },
            CELFunction("split", .receiver, arity: 2...3, cost: .linearTwice) { a in
                guard case .string(let s) = a[0], case .string(let sep) = a[1] else { throw CELEvalError.noOverload("split") }
                var n = -1
                if a.count == 3 {
                    guard case .int(let k) = a[2] else { throw CELEvalError.noOverload("split") }
                    n = k < 0 ? -1 : Int(clamping: k)
                }
                return .list(split(s, sep, n).map { .string($0) })
            },
            CELFunction("substring", .receiver, arity: 2...3, cost: .linear) { a in
                guard case .string(let s) = a[0], case .int(let start) = a[1] else {
                    throw CELEvalError.noOverload("substring")
                }
                let u = Array(s.unicodeScalars)
                var end = Int64(u.count)
                if a.count == 3 {
                    guard case .int(let e) = a[2] else { throw CELEvalError.noOverload("substring") }
                    end = e
                }
                guard start >= 0, start <= u.count else { throw CELEvalError.general("index out of range: \(start)") }
                guard end >= 0, end <= u.count else { throw CELEvalError.general("index out of range: \(end)") }
                guard start <= end else {
                    throw CELEvalError.general("invalid substring range. start: \(start), end: \(end)")
                }
                return .string(String(String.UnicodeScalarView(u[Int(start)..<Int(end)])))
            },
            CELFunction("trim", .receiver, arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("trim") }
                let u = Array(s.unicodeScalars)
                var lo = 0
                var hi = u.count
                while lo < hi, isGoSpace(u[lo]) { lo += 1 }
                while hi > lo, isGoSpace(u[hi - 1]) { hi -= 1 }
                return .string(String(String.UnicodeScalarView(u[lo..<hi])))
            },
            CELFunction("join", .receiver, arity: 1...2, cost: .custom({ _, r in Evaluator.callCost(.linearTwice, [r], r) })) { a in
                guard case .list(let l) = a[0] else { throw CELEvalError.noOverload("join") }
                var sep = ""
                if a.count == 2 {
                    guard case .string(let s) = a[1] else { throw CELEvalError.noOverload("join") }
                    sep = s
                }
                var parts: [String] = []
                for e in l {
                    guard case .string(let s) = e else { throw CELEvalError.noOverload("join") }
                    parts.append(s)
                }
                return .string(parts.joined(separator: sep))
            },
            CELFunction("strings.quote", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("strings.quote") }
                return .string(quote(s))
            },
            CELFunction("format", .receiver, arity: 2...2, cost: .linear) { a in
                guard case .string(let f) = a[0], case .list(let args) = a[1] else {
                    throw CELEvalError.noOverload("format")
                }
                return .string(try StringFormat.format(f, args))
            },
        ]
    }

    static func isGoSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    private static func mapASCII(_ s: String, _ f: (UInt8) -> UInt8) -> String {
        String(decoding: s.utf8.map(f), as: UTF8.self)
    }

    static func find(_ needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int, backward: Bool) -> Int {
        if needle.isEmpty { return from }
        if backward {
            var i = min(from, hay.count - needle.count)
            while i >= 0 {
                if hay[i..<i + needle.count].elementsEqual(needle) { return i }
                i -= 1
            }
            return -1
        }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return -1
    }

    /// Go's `strings.Replace(s, old, new, n)`; an empty `old` inserts `new` between code points.
    static func replace(_ s: String, _ old: String, _ new: String, _ n: Int) -> String {
        if n == 0 || old == new { return s }
        let hay = Array(s.unicodeScalars)
        let needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var count = 0
        var i = 0
        if needle.isEmpty {
            for (k, c) in hay.enumerated() {
                if n < 0 || count < n { out.append(contentsOf: new.unicodeScalars); count += 1 }
                out.append(c)
                if k == hay.count - 1, n < 0 || count < n { out.append(contentsOf: new.unicodeScalars); count += 1 }
            }
            if hay.isEmpty { return new }
            return String(out)
        }
        while i < hay.count {
            if (n < 0 || count < n), i + needle.count <= hay.count, hay[i..<i + needle.count].elementsEqual(needle) {
                out.append(contentsOf: new.unicodeScalars)
                i += needle.count
                count += 1
            } else {
                out.append(hay[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Go's `strings.SplitN`.
    static func split(_ s: String, _ sep: String, _ n: Int) -> [String] {
        if n == 0 { return [] }
        let hay = Array(s.unicodeScalars)
        let needle = Array(sep.unicodeScalars)
        if needle.isEmpty {
            var out: [String] = []
            for (k, c) in hay.enumerated() {
                if n > 0 && out.count == n - 1 {
                    out.append(String(String.UnicodeScalarView(hay[k...])))
                    return out
                }
                out.append(String(c))
            }
            return out
        }
        var out: [String] = []
        var start = 0
        var i = 0
        while i + needle.count <= hay.count {
            if n > 0 && out.count == n - 1 { break }
            if hay[i..<i + needle.count].elementsEqual(needle) {
                out.append(String(String.UnicodeScalarView(hay[start..<i])))
                i += needle.count
                start = i
            } else {
                i += 1
            }
        }
        out.append(String(String.UnicodeScalarView(hay[start...])))
        return out
    }

    /// `strings.quote`: a double-quoted CEL string literal; invalid UTF-8 cannot occur in Swift strings.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
