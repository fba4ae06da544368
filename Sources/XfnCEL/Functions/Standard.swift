/// The standard library's functions on strings, bytes, lists and maps (`size`, `contains`,
/// `startsWith`, `endsWith`, `matches`).
enum Standard {
    static var functions: [CELFunction] {
        [
            CELFunction("size", .both, arity: 1...1) { a in
                switch a[0] {
                case .string(let s): return .int(Int64(UTF8Text.scalarCount(s)))
                case .bytes(let b): return .int(Int64(b.count))
                case .list(let l): return .int(Int64(l.count))
                case .map(let m): return .int(Int64(m.count))
                default: throw CELEvalError.noOverload("size")
                }
            },
            CELFunction("contains", .receiver, arity: 2...2, cost: .substring) { a in
                guard case .string(let s) = a[0], case .string(let t) = a[1] else {
                    throw CELEvalError.noOverload("contains")
                }
                return .bool(UTF8Text.contains(s, t))
            },
            CELFunction("startsWith", .receiver, arity: 2...2, cost: .linear) { a in
                guard case .string(let s) = a[0], case .string(let t) = a[1] else {
                    throw CELEvalError.noOverload("startsWith")
                }
                return .bool(UTF8Text.hasPrefix(s, t))
            },
            CELFunction("endsWith", .receiver, arity: 2...2, cost: .linear) { a in
                guard case .string(let s) = a[0], case .string(let t) = a[1] else {
                    throw CELEvalError.noOverload("endsWith")
                }
                return .bool(UTF8Text.hasSuffix(s, t))
            },
            CELFunction("matches", .both, arity: 2...2, cost: .regex) { a in
                guard a.count == 2, case .string(let s) = a[0], case .string(let p) = a[1] else {
                    throw CELEvalError.noOverload("matches")
                }
                return .bool(try RegexCache.shared.regex(p).firstMatch(in: s) != nil)
            },
        ]
    }
}

/// Accessors on timestamps (optionally in a time zone) and durations.
enum TimeFunctions {
    static var functions: [CELFunction] {
        [
            accessor("getFullYear") { c in c.year },
            accessor("getMonth") { c in c.month - 1 },
            accessor("getDate") { c in c.day },
            accessor("getDayOfMonth") { c in c.day - 1 },
            accessor("getDayOfYear") { c in
                CivilDate.days(year: c.year, month: c.month, day: c.day) - CivilDate.days(year: c.year, month: 1, day: 1)
            },
            accessor("getDayOfWeek") { c in
                let (_, r) = TimeFormat.floorDiv(CivilDate.days(year: c.year, month: c.month, day: c.day) + 4, 7)
                return r
            },
            accessor("getHours", duration: { $0 / 3_600_000_000_000 }) { c in c.secondOfDay / 3600 },
            accessor("getMinutes", duration: { $0 / 60_000_000_000 }) { c in c.secondOfDay / 60 % 60 },
            accessor("getSeconds", duration: { $0 / 1_000_000_000 }) { c in c.secondOfDay % 60 },
            accessor("getMilliseconds", duration: { $0 % 1_000_000_000 / 1_000_000 }) { c in c.nanos / 1_000_000 },
        ]
    }

    struct Civil {
        var year: Int64, month: Int64, day: Int64, secondOfDay: Int64, nanos: Int64
    }

    static func civil(_ t: CELTimestamp, zone: String?) throws -> Civil {
        let offset = try zone.map { try TimeFormat.offset(zone: $0, at: t) } ?? 0
        let (days, sod) = TimeFormat.floorDiv(t.seconds + offset, 86400)
        let (y, m, d) = CivilDate.date(days: days)
        return Civil(year: y, month: m, day: d, secondOfDay: sod, nanos: Int64(t.nanos))
    }

    private static func accessor(_ name: String, duration: (@Sendable (Int64) -> Int64)? = nil,
                                 _ f: @escaping @Sendable (Civil) -> Int64) -> CELFunction
    {
        CELFunction(name, .receiver, arity: 1...2) { a in
            switch (a[0], a.count) {
            case (.timestamp(let t), 1): return .int(f(try civil(t, zone: nil)))
            case (.timestamp(let t), 2):
                guard case .string(let z) = a[1] else { throw CELEvalError.noOverload(name) }
                return .int(f(try civil(t, zone: z)))
            case (.duration(let d), 1):
                guard let duration else { throw CELEvalError.noOverload(name) }
                return .int(duration(d.nanoseconds))
            default: throw CELEvalError.noOverload(name)
            }
        }
    }
}
