import Dispatch

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
}
