import Foundation

/// A threaded HTTP/1.1 listener on 127.0.0.1 (port chosen by the kernel). Each connection gets its
/// own thread; `handle` answers one request and says whether the connection may carry another.
final class LoopbackHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (_ head: HTTPHead, _ connection: SocketConnection) throws -> Bool

    let port: UInt16
    private let listener: Int32
    private let handle: Handler
    private let lock = NSLock()
    private var open: [ObjectIdentifier: SocketConnection] = [:]
    private var stopped = false
    private var accepted = 0
    private let acceptDone = DispatchSemaphore(value: 0)

    init(name: String, handle: @escaping Handler) throws {
        (listener, port) = try Loopback.listen()
        self.handle = handle
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "\(name) accept :\(port)"
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting, hangs up every open connection, and waits for the accept thread to end.
    func stop() {
        let connections: [SocketConnection]? = lock.withLock {
            if stopped { return nil }
            stopped = true
            return Array(open.values)
        }
        guard let connections else { return }
        _ = shutdown(listener, Int32(SHUT_RDWR))
        for connection in connections { connection.shutdown() }
        _ = acceptDone.wait(timeout: .now() + 5)
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptDone.signal() }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let connection = SocketConnection(fd: fd)
            let admitted: Bool = lock.withLock {
                if stopped { return false }
                accepted += 1
                connection.serial = accepted
                open[ObjectIdentifier(connection)] = connection
                return true
            }
            guard admitted else {
                connection.close()
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.name = "http :\(port) conn"
            thread.start()
        }
    }

    private func serve(_ connection: SocketConnection) {
        defer {
            _ = lock.withLock { open.removeValue(forKey: ObjectIdentifier(connection)) }
            connection.close()
        }
        // Clients told to skip verification (skopeo --tls-verify=false) try TLS first; answering the
        // ClientHello at once, as Go's server does, lets them fall back to HTTP without a timeout.
        if connection.peekByte() == 0x16 {
            try? connection.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
            return
        }
        while true {
            do {
                guard let head = try connection.readHead() else { return }
                guard try handle(head, connection) else { return }
            } catch {
                return
            }
        }
    }
}

extension LoopbackHTTPServer {
    /// A server whose handler sees whole requests and returns whole responses.
    convenience init(name: String, respond: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        try self.init(name: name) { head, connection in
            if head.headers.value("Expect")?.lowercased() == "100-continue" {
                try connection.write("HTTP/1.1 100 Continue\r\n\r\n")
            }
            let body = try connection.readWholeBody(BodyFraming.ofRequest(head))
            let request = HTTPRequest(head: head, body: body, connection: connection.serial)
            let response = respond(request)
            let close = head.wantsClose
            try connection.write(response.head(close: close).serialized)
            if head.method != "HEAD" { try connection.write(response.body) }
            return !close
        }
    }
}
