import Foundation

/// Kubernetes' quantity library: `quantity`, `isQuantity` and the comparison and arithmetic methods.
/// Values are held exactly as decimals; binary suffixes (Ki, Mi, …) are exact powers of 1024.
enum QuantityLibrary {
    struct Quantity: CELObject {
        let value: Decimal
        let text: String
        var celType: CELType { CELType("kubernetes.Quantity") }
        var description: String { text }
        func isEqual(to other: any CELObject) -> Bool {
            guard let o = other as? Quantity else { return false }
            return value == o.value
        }
    }

    private static let suffixes: [String: Decimal] = {
        var m: [String: Decimal] = [
            "": 1, "n": Decimal(sign: .plus, exponent: -9, significand: 1), "u": Decimal(sign: .plus, exponent: -6, significand: 1),
            "m": Decimal(sign: .plus, exponent: -3, significand: 1), "k": Decimal(sign: .plus, exponent: 3, significand: 1),
            "M": Decimal(sign: .plus, exponent: 6, significand: 1), "G": Decimal(sign: .plus, exponent: 9, significand: 1),
            "T": Decimal(sign: .plus, exponent: 12, significand: 1), "P": Decimal(sign: .plus, exponent: 15, significand: 1),
            "E": Decimal(sign: .plus, exponent: 18, significand: 1),
        ]
        var p: Decimal = 1
        for s in ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] {
            p *= 1024
            m[s] = p
        }
        return m
    }()

    /// Parses `<sign><digits>[.<digits>]<suffix>` where the suffix is SI, binary or `e<exponent>`.
    static func parse(_ s: String) -> Quantity? {
        var rest = Substring(s)
        var negative = false
        if let f = rest.first, f == "+" || f == "-" {
            negative = f == "-"
            rest = rest.dropFirst()
        }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number.contains(where: \.isNumber) else {
            return nil
        }
        let suffix = String(rest.dropFirst(number.count))
        guard var value = Decimal(string: String(number), locale: Locale(identifier: "en_US_POSIX")) else { return nil }
        if let mult = suffixes[suffix] {
            value *= mult
        } else if let e = suffix.first, e == "e" || e == "E" {
            let expText = suffix.dropFirst()
            guard !expText.isEmpty, let exp = Int(expText), abs(exp) <= 100,
                  expText.dropFirst(expText.first == "-" || expText.first == "+" ? 1 : 0).allSatisfy(\.isNumber)
            else { return nil }
            value *= Decimal(sign: .plus, exponent: exp, significand: 1)
        } else {
            return nil
        }
        return Quantity(value: negative ? -value : value, text: s)
    }

    private static func quantity(_ v: CELValue, _ fn: String) throws -> Quantity {
        guard case .object(let o) = v, let q = o as? Quantity else { throw CELEvalError.noOverload(fn) }
        return q
    }

    private static func operand(_ v: CELValue, _ fn: String) throws -> Decimal {
        if case .int(let i) = v { return Decimal(i) }
        return try quantity(v, fn).value
    }

    private static func integer(_ d: Decimal) -> Int64? {
        var x = d
        var r = Decimal()
        NSDecimalRound(&r, &x, 0, .plain)
        guard r == d, r <= Decimal(Int64.max), r >= Decimal(Int64.min) else { return nil }
        return NSDecimalNumber(decimal: r).int64Value
    }

    private static func make(_ d: Decimal) -> CELValue {
        .object(Quantity(value: d, text: NSDecimalNumber(decimal: d).stringValue))
    }

    static var functions: [CELFunction] {
        [
            CELFunction("quantity", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("quantity") }
                guard let q = parse(s) else { throw CELEvalError.general("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'") }
                return .object(q)
            },
            CELFunction("isQuantity", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("isQuantity") }
                return .bool(parse(s) != nil)
            },
            CELFunction("sign", .receiver, arity: 1...1) { a in
                let v = try quantity(a[0], "sign").value
                return .int(v < 0 ? -1 : v > 0 ? 1 : 0)
            },
            CELFunction("isGreaterThan", .receiver, arity: 2...2) { a in
                .bool(try quantity(a[0], "isGreaterThan").value > (try quantity(a[1], "isGreaterThan").value))
            },
            CELFunction("isLessThan", .receiver, arity: 2...2) { a in
                .bool(try quantity(a[0], "isLessThan").value < (try quantity(a[1], "isLessThan").value))
            },
            CELFunction("compareTo", .receiver, arity: 2...2) { a in
                let x = try quantity(a[0], "compareTo").value
                let y = try quantity(a[1], "compareTo").value
                return .int(x < y ? -1 : x > y ? 1 : 0)
            },
            CELFunction("add", .receiver, arity: 2...2) { a in
                make(try quantity(a[0], "add").value + (try operand(a[1], "add")))
            },
            CELFunction("sub", .receiver, arity: 2...2) { a in
                make(try quantity(a[0], "sub").value - (try operand(a[1], "sub")))
            },
            CELFunction("isInteger", .receiver, arity: 1...1) { a in
                .bool(integer(try quantity(a[0], "isInteger").value) != nil)
            },
            CELFunction("asInteger", .receiver, arity: 1...1) { a in
                guard let i = integer(try quantity(a[0], "asInteger").value) else {
                    throw CELEvalError.general("cannot convert value to integer")
                }
                return .int(i)
            },
            CELFunction("asApproximateFloat", .receiver, arity: 1...1) { a in
                .double(NSDecimalNumber(decimal: try quantity(a[0], "asApproximateFloat").value).doubleValue)
            },
        ]
    }
}
