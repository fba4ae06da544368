import Foundation

/// RFC 3339 timestamps and Go-style durations, parsed and printed the way cel-go does.
enum TimeFormat {
    static func parseTimestamp(_ s: String) throws -> CELTimestamp {
        let b = Array(s.utf8)
        var i = 0
        func fail() -> CELEvalError { CELEvalError.general("invalid timestamp \"\(s)\"") }
        func num(_ n: Int) throws -> Int64 {
            guard i + n <= b.count else { throw fail() }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { throw fail() }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func lit(_ c: Character) throws {
            guard i < b.count, b[i] == c.asciiValue! else { throw fail() }
            i += 1
        }
        let year = try num(4); try lit("-")
        let month = try num(2); try lit("-")
        let day = try num(2)
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") else { throw fail() }
        i += 1
        let hour = try num(2); try lit(":")
        let minute = try num(2); try lit(":")
        let second = try num(2)
        var nanos: Int64 = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 0x30 && b[i] <= 0x39 {
                if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { throw fail() }
            for _ in digits..<max(digits, 9) { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard i < b.count else { throw fail() }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            let oh = try num(2); try lit(":")
            let om = try num(2)
            guard oh < 24, om < 60 else { throw fail() }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            throw fail()
        }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { throw fail() }
        let days = CivilDate.days(year: year, month: month, day: day)
        let secs = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return try CELTimestamp(seconds: secs, nanos: Int32(nanos))
    }

    /// RFC 3339 in UTC with the fraction trimmed of trailing zeros, as Go's `RFC3339Nano`.
    static func format(_ t: CELTimestamp) -> String {
        let (days, secOfDay) = floorDiv(t.seconds, 86400)
        let (y, m, d) = CivilDate.date(days: days)
        var s = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(secOfDay / 3600, 2) + ":"
            + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2)
        if t.nanos > 0 {
            var frac = pad(Int64(t.nanos), 9)
            while frac.hasSuffix("0") { frac.removeLast() }
            s += "." + frac
        }
        return s + "Z"
    }

    static func pad(_ v: Int64, _ width: Int) -> String {
        let t = String(v)
        return String(repeating: "0", count: max(0, width - t.count)) + t
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        var q = a / b
        var r = a % b
        if r < 0 { q -= 1; r += b }
        return (q, r)
    }

    private static let units: [(String, Double)] = [
        ("ns", 1), ("us", 1e3), ("µs", 1e3), ("μs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9),
    ]

    /// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units ns, us, ms, s, m, h.
    static func parseDuration(_ s: String) throws -> CELDuration {
        func fail() -> CELEvalError { CELEvalError.general("invalid duration \"\(s)\"") }
        var rest = Substring(s)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest.removeFirst()
        }
        if rest == "0" { return try CELDuration(nanoseconds: 0) }
        guard !rest.isEmpty else { throw fail() }
        var total: Decimal = 0
        while !rest.isEmpty {
            let numText = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !numText.isEmpty, numText != ".", let value = Decimal(string: String(numText)) else { throw fail() }
            rest = rest.dropFirst(numText.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let unit = units.first(where: { $0.0 == unitText }) else { throw fail() }
            rest = rest.dropFirst(unitText.count)
            total += value * Decimal(unit.1)
        }
        if negative { total = -total }
        guard total <= Decimal(Int64.max), total >= Decimal(Int64.min) else { throw CELEvalError.overflow("duration") }
        var rounded = Decimal()
        var t = total
        NSDecimalRound(&rounded, &t, 0, .down)
        return try CELDuration(nanoseconds: NSDecimalNumber(decimal: rounded).int64Value)
    }

    private static let schemaUnits: [(variants: [String], nanos: Int64)] = [
        (["ns", "nano"], 1), (["us", "µs", "micro"], 1_000), (["ms", "milli"], 1_000_000),
        (["s", "sec"], 1_000_000_000), (["m", "min"], 60_000_000_000), (["h", "hr", "hour"], 3_600_000_000_000),
        (["d", "day"], 86_400_000_000_000), (["w", "wk", "week"], 604_800_000_000_000),
    ]

    /// A `format: duration` schema value, read as kube-openapi does: a Go duration, or else every
    /// `<digits> <unit>` run in the text (`3d`, `1 week`, `2hours`), units matched by name or prefix.
    static func parseSchemaDuration(_ s: String) throws -> CELDuration {
        if let d = try? parseDuration(s) { return d }
        let scalars = Array(s.unicodeScalars)
        var total: Int64 = 0
        var matched = false
        var i = 0
        while i < scalars.count {
            guard scalars[i].properties.numericType == .decimal, scalars[i].isASCII else { i += 1; continue }
            var n: Int64 = 0
            while i < scalars.count, scalars[i].isASCII, let d = Int64(String(scalars[i])) {
                n = n &* 10 &+ d
                i += 1
            }
            while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 }
            var unit = ""
            while i < scalars.count, (scalars[i].isASCII && scalars[i].properties.isAlphabetic) || scalars[i] == "µ" {
                unit.unicodeScalars.append(scalars[i])
                i += 1
            }
            unit = unit.lowercased()
            guard !unit.isEmpty else { continue }
            for (variants, nanos) in schemaUnits {
                for (k, v) in variants.enumerated() where v == unit || (k == variants.count - 1 && unit.hasPrefix(v)) {
                    matched = true
                    total = total &+ n &* nanos
                }
            }
        }
        guard matched else { throw CELEvalError.general("unable to parse \(s) as duration") }
        return try CELDuration(nanoseconds: total)
    }

    /// A `format: date-time` schema value: RFC 3339, or a local `YYYY-MM-DDTHH:MM:SS` read as UTC.
    static func parseSchemaDateTime(_ s: String) throws -> CELTimestamp {
        if let t = try? parseTimestamp(s) { return t }
        return try parseTimestamp(s + "Z")
    }

    /// Seconds with a trimmed fraction and an `s` suffix (`1.5s`, `-0.000000001s`), as cel-go prints.
    static func format(_ d: CELDuration) -> String {
        let neg = d.nanoseconds < 0
        let mag = d.nanoseconds.magnitude
        var s = (neg ? "-" : "") + String(mag / 1_000_000_000)
        let frac = mag % 1_000_000_000
        if frac > 0 {
            var f = pad(Int64(frac), 9)
            while f.hasSuffix("0") { f.removeLast() }
            s += "." + f
        }
        return s + "s"
    }

    /// A time zone given as an IANA name or a fixed `±HH:MM` offset; returns the offset in seconds at `t`.
    static func offset(zone: String, at t: CELTimestamp) throws -> Int64 {
        let z = zone
        if let first = z.first, first == "+" || first == "-" || first.isNumber {
            var body = Substring(z)
            var sign: Int64 = 1
            if first == "+" || first == "-" {
                sign = first == "-" ? -1 : 1
                body = body.dropFirst()
            }
            let parts = body.split(separator: ":")
            guard parts.count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]), h < 24, m < 60 else {
                throw CELEvalError.general("invalid time zone: \(zone)")
            }
            return sign * (h * 3600 + m * 60)
        }
        if z == "UTC" || z == "Z" { return 0 }
        guard let tz = TimeZone(identifier: z) else { throw CELEvalError.general("unknown time zone: \(zone)") }
        return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t.seconds))))
    }
}
