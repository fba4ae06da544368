#if canImport(Glibc)
import Foundation
import Glibc
import Testing
@testable import XfnCore

@Suite struct HeapReservationTests {
    /// The writable mapping that holds `address`, from the process's memory map.
    private static func writableMappingSize(containing address: UInt) throws -> UInt? {
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[1].hasPrefix("rw") else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if bounds.count == 2, bounds[0] <= address, address < bounds[1] { return bounds[1] - bounds[0] }
        }
        return nil
    }

    /// After the reservation, the heap a thread allocates from is writable for at least the
    /// reserved size, grown in one step instead of a page at a time.
    @Test func aWorkerHeapIsWritableForTheWholeReservation() async throws {
        let address = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                HeapReservation.reserveForThisThread()
                let block = malloc(64)
                continuation.resume(returning: UInt(bitPattern: block))
                free(block)
            }
        }
        let size = try #require(try Self.writableMappingSize(containing: address))
        #expect(size >= UInt(HeapReservation.size))
    }
}
#endif
