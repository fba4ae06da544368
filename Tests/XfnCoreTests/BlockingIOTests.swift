import Synchronization
import Testing
import XfnCore

@Suite struct BlockingIOTests {
    @Test(arguments: [0, 1, 2, 1000]) func concurrentMapKeepsOrder(count: Int) async {
        let squares = await BlockingIO.concurrentMap(count) { $0 * $0 }
        #expect(squares == (0..<count).map { $0 * $0 })
    }

    private final class Calls: Sendable {
        let counts = Mutex<[Int: Int]>([:])
    }

    @Test func concurrentMapRunsEveryItemOnce() async {
        let calls = Calls()
        let results = await BlockingIO.concurrentMap(500) { offset in
            calls.counts.withLock { $0[offset, default: 0] += 1 }
            return offset
        }
        #expect(results.count == 500)
        #expect(calls.counts.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<500).map { ($0, 1) }))
    }
}
