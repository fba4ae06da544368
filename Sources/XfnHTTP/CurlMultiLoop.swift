import CCurl
import Foundation

/// The one thread that drives every transfer of the process through a curl multi handle, so sockets,
/// TLS and hashing of streamed bodies never block the cooperative pool, and connections (and HTTP/2
/// streams) are shared between requests to the same registry.
final class CurlMultiLoop: @unchecked Sendable {
    static let shared = CurlMultiLoop()

    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var pending: [Transfer] = []
    private var cancellations: [Transfer] = []
    private var started = false
    /// Touched only on the loop thread.
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]

    private init() {
        CurlGlobal.ensureInitialized()
        multi = curl_multi_init()
        xfn_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        xfn_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8)
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
        curl_multi_wakeup(multi)
    }

    func cancel(_ transfer: Transfer) {
        lock.withLock {
            transfer.cancelRequested = true
            cancellations.append(transfer)
        }
        curl_multi_wakeup(multi)
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
                curl_multi_add_handle(multi, transfer.easy)
            }
            for transfer in cancelled where active.removeValue(forKey: transfer.easy) != nil {
                curl_multi_remove_handle(multi, transfer.easy)
                transfer.complete(throwing: CancellationError())
            }

            curl_multi_perform(multi, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                active.removeValue(forKey: easy)?.complete(code: code)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}
