import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into cancellation of the running command, so its cleanup (stopping
/// function processes, removing containers) runs before xfn exits. A second signal while that cleanup
/// is under way exits at once.
final class Interruption: Sendable {
    private let received = FirstSignal()
    /// Kept alive for the life of the process; dispatch stops delivering once a source is released.
    private let sources: [UncheckedSource]

    /// The signal that arrived first, if any.
    var signal: Int32? { received.number.withLock { $0 } }

    /// Ignores SIGINT and SIGTERM's default action and calls `cancel` on the first one.
    init(cancel: @escaping @Sendable () -> Void) {
        let received = self.received
        sources = [SIGINT, SIGTERM].map { number in
            // The default action would end xfn before any cleanup; dispatch still reports the signal.
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = received.number.withLock { earlier -> Bool in
                    guard earlier == nil else { return false }
                    earlier = number
                    return true
                }
                guard first else {
                    // Asked twice: the user no longer waits for the cleanup.
                    Foundation.exit(Interruption.exitStatus(for: number))
                }
                cancel()
            }
            source.resume()
            return UncheckedSource(source: source)
        }
    }

    /// The shell's convention for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM.
    static func exitStatus(for signal: Int32) -> Int32 { 128 + signal }
}

private final class FirstSignal: Sendable {
    let number = Mutex<Int32?>(nil)
}

/// A dispatch source is thread-safe, though not marked `Sendable`; it is only held here.
private struct UncheckedSource: @unchecked Sendable {
    let source: any DispatchSourceSignal
}
