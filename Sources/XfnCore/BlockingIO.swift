import Dispatch
import Foundation
import Synchronization

/// Runs blocking work (fsync, rename, hashing a file, a subprocess wait) on a dispatch queue instead of
/// the cooperative pool, whose few threads must never wait in the kernel.
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "xfn.blocking-io", qos: .userInitiated, attributes: .concurrent)

    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
            }
        }
    }

    /// `work` for every offset below `count`, in order, computed by as many threads of the
    /// blocking pool as there are processors. Each thread takes the next offset when it is done, so
    /// thousands of small items cost no task or thread switch apiece.
    public static func concurrentMap<T: Sendable>(_ count: Int, _ work: @escaping @Sendable (Int) -> T) async -> [T] {
        guard count > 0 else { return [] }
        let workers = min(count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        return await withCheckedContinuation { continuation in
            queue.async {
                // Each offset is taken once and its slot initialized in place; all are by the end.
                let results = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    let next = Atomic<Int>(0)
                    let slots = Slots(base: buffer.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in
                        HeapReservation.reserveForThisThread()
                        while true {
                            let offset = next.wrappingAdd(1, ordering: .relaxed).oldValue
                            guard offset < count else { return }
                            (slots.base + offset).initialize(to: work(offset))
                        }
                    }
                    initialized = count
                }
                continuation.resume(returning: results)
            }
        }
    }

    /// The result buffer, shared by the threads of one `concurrentMap`: each initializes only the
    /// offsets it took, and the buffer outlives them.
    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutablePointer<T>
    }
}
