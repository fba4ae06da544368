/// Optional values (`optional.of`, `optional.none`, `optional.ofNonZeroValue`, `hasValue`, `value`).
/// `or` and `orValue` are compiled to lazy nodes so the alternative runs only when needed.
enum Optionals {
    static var functions: [CELFunction] {
        [
            CELFunction("optional.of", arity: 1...1) { a in .optional(a[0]) },
            CELFunction("optional.none", arity: 0...0) { _ in .optional(nil) },
            CELFunction("optional.ofNonZeroValue", arity: 1...1) { a in isZero(a[0]) ? .optional(nil) : .optional(a[0]) },
            CELFunction("hasValue", .receiver, arity: 1...1) { a in
                guard case .optional(let inner) = a[0] else { throw CELEvalError.noOverload("hasValue") }
                return .bool(inner != nil)
            },
            CELFunction("value", .receiver, arity: 1...1) { a in
                guard case .optional(let inner) = a[0] else { throw CELEvalError.noOverload("value") }
                guard let inner else { throw CELEvalError.general("optional.none() dereference") }
                return inner
            },
        ]
    }

    static func isZero(_ v: CELValue) -> Bool {
        switch v {
        case .null: true
        case .bool(let b): !b
        case .int(let i): i == 0
        case .uint(let u): u == 0
        case .double(let d): d == 0
        case .string(let s): s.isEmpty
        case .bytes(let b): b.isEmpty
        case .list(let l): l.isEmpty
        case .map(let m): m.count == 0
        case .timestamp(let t): t.seconds == 0 && t.nanos == 0
        case .duration(let d): d.nanoseconds == 0
        case .optional(let o): o == nil
        default: false
        }
    }
}
