import Foundation
import Synchronization

/// Runs blocking work (decompression, many small file-system calls) on its own thread so it never
/// occupies one of the few threads of Swift's cooperative pool.
enum BlockingThread {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                // Set from inside: on Linux a name given before `start()` is not applied, and the
                // thread would carry its creator's (a cooperative-pool thread's) name instead.
                Thread.current.name = name
                continuation.resume(with: Result { try body() })
            }
            // Removing a tree recurses once per directory level (at most PATH_MAX / 2 levels).
            thread.stackSize = 16 << 20
            thread.start()
        }
    }

    /// Like `run`, and sets a flag the work polls when the calling task is cancelled.
    static func runCancellable<T: Sendable>(name: String,
                                            _ body: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
        let flag = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await run(name: name) { try body(flag) }
        } onCancel: {
            flag.cancel()
        }
    }
}

/// Set from the cancelling task, read by the worker thread between entries.
final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    func cancel() { state.store(true, ordering: .relaxed) }
    var isCancelled: Bool { state.load(ordering: .relaxed) }
}
