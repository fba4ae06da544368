/// Arithmetic, comparison and membership operators. int and uint arithmetic report overflow instead
/// of wrapping; there is no implicit conversion between numeric kinds.
enum Operators {
    static var functions: [CELFunction] {
        [
            CELFunction("_==_", arity: 2...2, cost: .compare) { a in .bool(celEquals(a[0], a[1])) },
            CELFunction("_!=_", arity: 2...2, cost: .compare) { a in .bool(!celEquals(a[0], a[1])) },
            CELFunction("_<_", arity: 2...2, cost: .compare) { a in .bool(try celCompare(a[0], a[1], "_<_").map { $0 < 0 } ?? false) },
            CELFunction("_<=_", arity: 2...2, cost: .compare) { a in .bool(try celCompare(a[0], a[1], "_<=_").map { $0 <= 0 } ?? false) },
            CELFunction("_>_", arity: 2...2, cost: .compare) { a in .bool(try celCompare(a[0], a[1], "_>_").map { $0 > 0 } ?? false) },
            CELFunction("_>=_", arity: 2...2, cost: .compare) { a in .bool(try celCompare(a[0], a[1], "_>=_").map { $0 >= 0 } ?? false) },
            CELFunction("@in", arity: 2...2, cost: .membership) { a in try membership(a[0], a[1]) },
            CELFunction("_+_", arity: 2...2, cost: .concat) { a in try add(a[0], a[1]) },
            CELFunction("_-_", arity: 2...2) { a in try subtract(a[0], a[1]) },
            CELFunction("_*_", arity: 2...2) { a in try multiply(a[0], a[1]) },
            CELFunction("_/_", arity: 2...2) { a in try divide(a[0], a[1]) },
            CELFunction("_%_", arity: 2...2) { a in try modulo(a[0], a[1]) },
            CELFunction("!_", arity: 1...1) { a in
                guard case .bool(let b) = a[0] else { throw CELEvalError.noOverload("!_") }
                return .bool(!b)
            },
            CELFunction("-_", arity: 1...1) { a in
                switch a[0] {
                case .int(let i):
                    guard i != Int64.min else { throw CELEvalError.overflow() }
                    return .int(-i)
                case .double(let d): return .double(-d)
                case .duration(let d): return .duration(try CELDuration(nanoseconds: -d.nanoseconds))
                default: throw CELEvalError.noOverload("-_")
                }
            },
        ]
    }

    static func membership(_ item: CELValue, _ container: CELValue) throws -> CELValue {
        switch container {
        case .list(let l): return .bool(l.contains { celEquals($0, item) })
        case .map(let m):
            switch item {
            case .int, .uint, .double, .bool, .string: return .bool(m.contains(item))
            default: return .bool(false)
            }
        default: throw CELEvalError.noOverload("@in")
        }
    }

    static func add(_ a: CELValue, _ b: CELValue) throws -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let r = x.addingReportingOverflow(y)
            guard !r.overflow else { throw CELEvalError.overflow() }
            return .int(r.partialValue)
        case (.uint(let x), .uint(let y)):
            let r = x.addingReportingOverflow(y)
            guard !r.overflow else { throw CELEvalError.overflow("unsigned integer") }
            return .uint(r.partialValue)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return .timestamp(try t.adding(d))
        case (.duration(let x), .duration(let y)):
            let r = x.nanoseconds.addingReportingOverflow(y.nanoseconds)
            guard !r.overflow else { throw CELEvalError.overflow("duration") }
            return .duration(try CELDuration(nanoseconds: r.partialValue))
        default: throw CELEvalError.noOverload("_+_")
        }
    }

    static func subtract(_ a: CELValue, _ b: CELValue) throws -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let r = x.subtractingReportingOverflow(y)
            guard !r.overflow else { throw CELEvalError.overflow() }
            return .int(r.partialValue)
        case (.uint(let x), .uint(let y)):
            let r = x.subtractingReportingOverflow(y)
            guard !r.overflow else { throw CELEvalError.overflow("unsigned integer") }
            return .uint(r.partialValue)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.timestamp(let x), .timestamp(let y)): return .duration(try x.difference(y))
        case (.timestamp(let t), .duration(let d)):
            guard d.nanoseconds != Int64.min else { throw CELEvalError.overflow("timestamp") }
            return .timestamp(try t.adding(try CELDuration(nanoseconds: -d.nanoseconds)))
        case (.duration(let x), .duration(let y)):
            let r = x.nanoseconds.subtractingReportingOverflow(y.nanoseconds)
            guard !r.overflow else { throw CELEvalError.overflow("duration") }
            return .duration(try CELDuration(nanoseconds: r.partialValue))
        default: throw CELEvalError.noOverload("_-_")
        }
    }

    static func multiply(_ a: CELValue, _ b: CELValue) throws -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let r = x.multipliedReportingOverflow(by: y)
            guard !r.overflow else { throw CELEvalError.overflow() }
            return .int(r.partialValue)
        case (.uint(let x), .uint(let y)):
            let r = x.multipliedReportingOverflow(by: y)
            guard !r.overflow else { throw CELEvalError.overflow("unsigned integer") }
            return .uint(r.partialValue)
        case (.double(let x), .double(let y)): return .double(x * y)
        default: throw CELEvalError.noOverload("_*_")
        }
    }

    static func divide(_ a: CELValue, _ b: CELValue) throws -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            guard y != 0 else { throw CELEvalError(.divideByZero, "division by zero") }
            guard !(x == Int64.min && y == -1) else { throw CELEvalError.overflow() }
            return .int(x / y)
        case (.uint(let x), .uint(let y)):
            guard y != 0 else { throw CELEvalError(.divideByZero, "division by zero") }
            return .uint(x / y)
        case (.double(let x), .double(let y)): return .double(x / y)
        default: throw CELEvalError.noOverload("_/_")
        }
    }

    static func modulo(_ a: CELValue, _ b: CELValue) throws -> CELValue {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            guard y != 0 else { throw CELEvalError(.divideByZero, "modulus by zero") }
            guard !(x == Int64.min && y == -1) else { throw CELEvalError.overflow() }
            return .int(x % y)
        case (.uint(let x), .uint(let y)):
            guard y != 0 else { throw CELEvalError(.divideByZero, "modulus by zero") }
            return .uint(x % y)
        default: throw CELEvalError.noOverload("_%_")
        }
    }
}
