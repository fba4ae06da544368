import Dispatch
import Synchronization

/// Frees large structures (compiled schemas, parsed documents, compiled rules) on a background
/// thread: releasing hundreds of thousands of objects one by one takes a noticeable part of a run,
/// and nothing waits for the memory. A process that exits first simply never frees it.
package enum DeferredRelease {
    private static let queue = DispatchQueue(label: "xfn.deferred-release", qos: .utility)

    package static func release<T: Sendable>(_ value: consuming T) {
        let box = Box(value)
        queue.async { box.drop() }
    }

    /// Holds the value until `drop`, so the last reference goes away on the queue's thread.
    private final class Box<T: Sendable>: Sendable {
        private let value: Mutex<T?>

        init(_ value: consuming T) { self.value = Mutex(value) }

        func drop() { value.withLock { $0 = nil } }
    }
}
