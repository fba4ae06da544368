import XfnCore

/// Type conversions: `int`, `uint`, `double`, `string`, `bytes`, `bool`, `timestamp`, `duration`,
/// `dyn`, `type`.
enum Conversions {
    static var functions: [CELFunction] {
        [
            CELFunction("int", arity: 1...1) { a in try toInt(a[0]) },
            CELFunction("uint", arity: 1...1) { a in try toUint(a[0]) },
            CELFunction("double", arity: 1...1) { a in try toDouble(a[0]) },
            CELFunction("string", arity: 1...1, cost: .linear) { a in try toStringValue(a[0]) },
            CELFunction("bytes", arity: 1...1, cost: .linear) { a in
                switch a[0] {
                case .bytes: return a[0]
                case .string(let s): return .bytes(Array(s.utf8))
                default: throw CELEvalError.noOverload("bytes")
                }
            },
            CELFunction("bool", arity: 1...1) { a in
                switch a[0] {
                case .bool: return a[0]
                case .string(let s):
                    switch s {
                    case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
                    case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
                    default: throw CELEvalError.general("type conversion error from 'string' to 'bool'")
                    }
                default: throw CELEvalError.noOverload("bool")
                }
            },
            CELFunction("timestamp", arity: 1...1) { a in
                switch a[0] {
                case .timestamp: return a[0]
                case .string(let s): return .timestamp(try TimeFormat.parseTimestamp(s))
                case .int(let i): return .timestamp(try CELTimestamp(seconds: i))
                default: throw CELEvalError.noOverload("timestamp")
                }
            },
            CELFunction("duration", arity: 1...1) { a in
                switch a[0] {
                case .duration: return a[0]
                case .string(let s): return .duration(try TimeFormat.parseDuration(s))
                case .int(let i): return .duration(try CELDuration(nanoseconds: i))
                default: throw CELEvalError.noOverload("duration")
                }
            },
            CELFunction("dyn", arity: 1...1) { a in a[0] },
            CELFunction("type", arity: 1...1) { a in .type(a[0].type) },
        ]
    }

    static func toInt(_ v: CELValue) throws -> CELValue {
        switch v {
        case .int: return v
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw CELEvalError.overflow() }
            return .int(Int64(u))
        case .double(let d):
            guard d.isFinite, d > -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else {
                throw CELEvalError.overflow()
            }
            return .int(Int64(d))
        case .string(let s):
            guard let i = Int64(s) else { throw CELEvalError.general("type conversion error from 'string' to 'int'") }
            return .int(i)
        case .timestamp(let t): return .int(t.seconds)
        case .duration(let d): return .int(d.nanoseconds)
        default: throw CELEvalError.noOverload("int")
        }
    }

    static func toUint(_ v: CELValue) throws -> CELValue {
        switch v {
        case .uint: return v
        case .int(let i):
            guard i >= 0 else { throw CELEvalError.overflow("unsigned integer") }
            return .uint(UInt64(i))
        case .double(let d):
            guard d.isFinite, d > -1, d < 18_446_744_073_709_551_616.0 else {
                throw CELEvalError.overflow("unsigned integer")
            }
            return .uint(UInt64(d))
        case .string(let s):
            guard let u = UInt64(s) else { throw CELEvalError.general("type conversion error from 'string' to 'uint'") }
            return .uint(u)
        default: throw CELEvalError.noOverload("uint")
        }
    }

    static func toDouble(_ v: CELValue) throws -> CELValue {
        switch v {
        case .double: return v
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard let d = parseGoFloat(s) else {
                throw CELEvalError.general("type conversion error from 'string' to 'double'")
            }
            return .double(d)
        default: throw CELEvalError.noOverload("double")
        }
    }

    /// Go's `ParseFloat` spellings: decimal and exponent forms, `Inf`/`Infinity`/`NaN` in any case.
    static func parseGoFloat(_ s: String) -> Double? {
        let lower = s.lowercased()
        let body = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        if body == "inf" || body == "infinity" { return lower.hasPrefix("-") ? -.infinity : .infinity }
        if body == "nan" { return .nan }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || "e.+-".contains($0)) }) else {
            return nil
        }
        return Double(s)
    }

    static func toStringValue(_ v: CELValue) throws -> CELValue {
        switch v {
        case .string: return v
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(GoFormat.float(d))
        case .bool(let b): return .string(b ? "true" : "false")
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else {
                throw CELEvalError.general("invalid UTF-8 in bytes, cannot convert to string")
            }
            return .string(s)
        case .timestamp(let t): return .string(TimeFormat.format(t))
        case .duration(let d): return .string(TimeFormat.format(d))
        case .object(let o): return .string(o.description)
        default: throw CELEvalError.noOverload("string")
        }
    }
}
