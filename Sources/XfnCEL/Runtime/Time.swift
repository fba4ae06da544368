/// A point in time with nanosecond precision, limited to years 1 through 9999 as CEL requires.
public struct CELTimestamp: Sendable, Hashable, Comparable {
    public var seconds: Int64
    public var nanos: Int32

    static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    public init(seconds: Int64, nanos: Int32 = 0) throws {
        guard seconds >= CELTimestamp.minSeconds, seconds <= CELTimestamp.maxSeconds else {
            throw CELEvalError.overflow("timestamp")
        }
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func < (a: CELTimestamp, b: CELTimestamp) -> Bool {
        (a.seconds, a.nanos) < (b.seconds, b.nanos)
    }

    func adding(_ d: CELDuration) throws -> CELTimestamp {
        let (dSec, dNano) = d.nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        var sec = seconds.addingReportingOverflow(dSec)
        guard !sec.overflow else { throw CELEvalError.overflow("timestamp") }
        var nano = Int64(nanos) + dNano
        if nano >= 1_000_000_000 { nano -= 1_000_000_000; sec.partialValue += 1 }
        if nano < 0 { nano += 1_000_000_000; sec.partialValue -= 1 }
        return try CELTimestamp(seconds: sec.partialValue, nanos: Int32(nano))
    }

    func difference(_ other: CELTimestamp) throws -> CELDuration {
        let s = seconds.subtractingReportingOverflow(other.seconds)
        let ns = s.partialValue.multipliedReportingOverflow(by: 1_000_000_000)
        let total = ns.partialValue.addingReportingOverflow(Int64(nanos) - Int64(other.nanos))
        guard !s.overflow, !ns.overflow, !total.overflow else { throw CELEvalError.overflow("duration") }
        return try CELDuration(nanoseconds: total.partialValue)
    }
}

/// A signed span of time in nanoseconds; CEL limits it to what int64 nanoseconds hold.
public struct CELDuration: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) throws {
        // cel-go rejects the single value that has no positive counterpart.
        guard nanoseconds != Int64.min else { throw CELEvalError.overflow("duration") }
        self.nanoseconds = nanoseconds
    }

    public static func < (a: CELDuration, b: CELDuration) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// Conversions between days since 1970-01-01 and proleptic Gregorian dates.
enum CivilDate {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func date(days z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

    static func isLeap(_ y: Int64) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
