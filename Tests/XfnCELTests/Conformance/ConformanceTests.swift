import Foundation
import Testing
@testable import XfnCEL

/// The pass-count floor per conformance file; raise a floor when the count goes up so that a
/// regression fails the test.
private let floors: [(file: String, minimumPassed: Int)] = [
    ("basic", 43), ("comparisons", 334), ("conversions", 109), ("dynamic", 0), ("fields", 60), ("fp_math", 30),
    ("integer_math", 64), ("lists", 39), ("logic", 30), ("macros", 44), ("macros2", 46), ("namespace", 14),
    ("optionals", 59), ("parse", 193), ("plumbing", 5), ("string", 51), ("string_ext", 210), ("timestamps", 78),
    ("type_deduction", 21), ("network_ext", 67),
]

@Suite struct ConformanceTests {
    @Test func specConformanceFiles() throws {
        let dir = ConformanceRunner.suiteDirectory
        try #require(FileManager.default.fileExists(atPath: dir.path),
                     "CEL conformance files not found at \(dir.path); expected shared/conformance/cel-spec next to the repository")
        let runner = ConformanceRunner()
        var table = ["file                 passed  failed  skipped"]
        var totals = (0, 0, 0)
        var reasons: [String: Int] = [:]
        let verbose = ProcessInfo.processInfo.environment["CEL_CONFORMANCE_VERBOSE"] != nil
        for (file, floor) in floors {
            let o = try runner.run(file: file)
            table.append(file.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: " %6d  %6d  %7d", o.passed, o.failed.count, o.skipped.count))
            totals.0 += o.passed
            totals.1 += o.failed.count
            totals.2 += o.skipped.count
            for s in o.skipped { reasons[s.reason, default: 0] += 1 }
            if verbose {
                for f in o.failed { print("FAIL \(file)/\(f.name): \(f.detail)") }
                for s in o.skipped { print("SKIP \(file)/\(s.name): \(s.reason)") }
            }
            #expect(o.passed >= floor, "\(file): \(o.passed) passed, floor is \(floor)")
        }
        table.append("total".padding(toLength: 20, withPad: " ", startingAt: 0)
            + String(format: " %6d  %6d  %7d", totals.0, totals.1, totals.2))
        table.append("skipped, by reason (CEL_CONFORMANCE_VERBOSE=1 lists every test):")
        for (reason, count) in reasons.sorted(by: { $0.value > $1.value }) {
            table.append(String(format: "%6d  ", count) + reason)
        }
        print(table.joined(separator: "\n"))
    }
}
