import XfnCore
import Foundation

/// `"...".format([args])` from cel-go's strings extension: `%s %d %f %e %b %o %x %X %%` with an
/// optional precision for `%f` and `%e`.
enum StringFormat {
    static func format(_ f: String, _ args: [CELValue]) throws -> String {
        var out = ""
        let chars = Array(f.unicodeScalars)
        var i = 0
        var argIndex = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard i < chars.count else {
                throw CELEvalError.general("could not parse formatting clause: unterminated clause")
            }
            if chars[i] == "%" { out += "%"; i += 1; continue }
            var precision: Int?
            if chars[i] == "." {
                i += 1
                var p = 0
                var any = false
                while i < chars.count, let d = Int(String(chars[i])) { p = p * 10 + d; i += 1; any = true }
                guard any else { throw CELEvalError.general("could not parse formatting clause: missing precision") }
                precision = p
            }
            guard i < chars.count else {
                throw CELEvalError.general("could not parse formatting clause: unterminated clause")
            }
            let verb = chars[i]
            i += 1
            guard "sdfeboxX".unicodeScalars.contains(verb) else {
                throw CELEvalError.general("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"")
            }
            guard argIndex < args.count else { throw CELEvalError.general("index \(argIndex) out of range") }
            let arg = args[argIndex]
            argIndex += 1
            out += try clause(verb, precision, arg)
        }
        return out
    }

    private static func special(_ d: Double) -> String? {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    private static func clause(_ verb: Unicode.Scalar, _ precision: Int?, _ arg: CELValue) throws -> String {
        func fail(_ what: String) -> CELEvalError {
            CELEvalError.general("error during formatting: \(what), was given \(arg.typeName)")
        }
        switch verb {
        case "s": return try text(arg, top: true)
        case "d":
            switch arg {
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            case .double(let d):
                if let s = special(d) { return s }
                throw fail("decimal clause can only be used on integers")
            default: throw fail("decimal clause can only be used on integers")
            }
        case "f", "e":
            let d: Double
            switch arg {
            case .double(let x): d = x
            case .int(let x): d = Double(x)
            case .uint(let x): d = Double(x)
            default:
                throw fail(verb == "f" ? "fixed-point clause can only be used on doubles"
                    : "scientific clause can only be used on doubles")
            }
            if let s = special(d) { return s }
            return String(format: "%.\(precision ?? 6)\(verb)", d)
        case "b":
            switch arg {
            case .int(let i): return i < 0 ? "-" + String(i.magnitude, radix: 2) : String(i, radix: 2)
            case .uint(let u): return String(u, radix: 2)
            case .bool(let b): return b ? "1" : "0"
            default: throw fail("only integers and bools can be formatted as binary")
            }
        case "o":
            switch arg {
            case .int(let i): return i < 0 ? "-" + String(i.magnitude, radix: 8) : String(i, radix: 8)
            case .uint(let u): return String(u, radix: 8)
            default: throw fail("octal clause can only be used on integers")
            }
        default:  // x, X
            let upper = verb == "X"
            var s: String
            switch arg {
            case .int(let i): s = i < 0 ? "-" + String(i.magnitude, radix: 16) : String(i, radix: 16)
            case .uint(let u): s = String(u, radix: 16)
            case .string(let t): s = t.utf8.map { GoFormat.hex(UInt32($0), width: 2) }.joined()
            case .bytes(let b): s = b.map { GoFormat.hex(UInt32($0), width: 2) }.joined()
            default: throw fail("only integers, byte buffers, and strings can be formatted as hex")
            }
            if upper { s = s.uppercased() }
            return s
        }
    }

    /// The `%s` rendering; lists and maps render their elements the same way, maps sorted by key text.
    static func text(_ v: CELValue, top: Bool) throws -> String {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return special(d) ?? GoFormat.float(d)
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .null: return "null"
        case .type(let t): return t.name
        case .timestamp(let t): return TimeFormat.format(t)
        case .duration(let d): return TimeFormat.format(d)
        case .list(let l): return "[" + (try l.map { try text($0, top: false) }).joined(separator: ", ") + "]"
        case .map(let m):
            var parts: [(String, String)] = []
            for (k, val) in m.entries { parts.append((try text(k, top: false), try text(val, top: false))) }
            parts.sort { $0.0 < $1.0 }
            return "{" + parts.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        default:
            throw CELEvalError.general("error during formatting: string clause can only be used on strings, bools, "
                + "bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given \(v.typeName)")
        }
    }
}
