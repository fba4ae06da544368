import CCurl
import Foundation

/// The one thread that drives every transfer of the process through a curl multi handle, so sockets,
/// TLS and hashing of streamed bodies never block the cooperative pool, and connections (and HTTP/2
/// streams) are shared between requests to the same registry.
final class CurlMultiLoop: @unchecked Sendable {
    static let shared = CurlMultiLoop()

    private let curl = CurlLibrary.alreadyLoaded
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [Transfer] = []
    private var cancellations: [Transfer] = []
    private var started = false
    /// Touched only on the loop thread.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    private init() {
        guard let multi = curl.multi_init() else { preconditionFailure("libcurl could not create a multi handle") }
        self.multi = multi
        xfn_curl_multi_setopt_long(curl.multi_setopt, multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        xfn_curl_multi_setopt_long(curl.multi_setopt, multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
    }

    func submit(_ transfer: Transfer) {
        lock.withLock {
            pending.append(transfer)
            if !started {
                started = true
                let thread = Thread { [self] in run() }
                thread.name = "xfn-http"
                thread.start()
            }
        }
        _ = curl.multi_wakeup(multi)
    }

    func cancel(_ transfer: Transfer) {
        lock.withLock {
            transfer.cancelRequested = true
            cancellations.append(transfer)
        }
        _ = curl.multi_wakeup(multi)
    }

    private func run() {
        var running: Int32 = 0
        while true {
            let (newTransfers, cancelled) = lock.withLock {
                defer { pending.removeAll(); cancellations.removeAll() }
                return (pending, cancellations)
            }
            for transfer in newTransfers {
                if transfer.cancelRequested {
                    transfer.complete(throwing: CancellationError())
                    continue
                }
                active[transfer.easy] = transfer
                _ = curl.multi_add_handle(multi, transfer.easy)
            }
            for transfer in cancelled where active.removeValue(forKey: transfer.easy) != nil {
                _ = curl.multi_remove_handle(multi, transfer.easy)
                transfer.complete(throwing: CancellationError())
            }

            _ = curl.multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl.multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                _ = curl.multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(code: code)
            }
            _ = curl.multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
