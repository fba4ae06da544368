import Foundation

/// Whether an HTTP/2 server answers at host:port. A published container port can accept a TCP
/// connection before anything in the container listens (Docker's userland proxy accepts and then
/// closes), so a connect alone proves nothing: the probe sends the client preface and an empty
/// SETTINGS frame and waits for the server's first frame, which every gRPC server sends at once.
enum ServingProbe {
    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]

    /// Blocking; call it off the cooperative pool.
    static func answers(host: String, port: Int, within wait: Duration = .seconds(1)) -> Bool {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else { return false }
        defer { freeaddrinfo(list) }
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if probe(current.pointee, wait: wait) { return true }
            entry = current.pointee.ai_next
        }
        return false
    }

    private static func probe(_ address: addrinfo, wait: Duration) -> Bool {
        let fd = socket(address.ai_family, address.ai_socktype, address.ai_protocol)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(wait.components.seconds), tv_usec: Int(wait.components.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.ai_addr, address.ai_addrlen) == 0 else { return false }
        let sent = preface.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == preface.count else { return false }
        // A frame header is nine bytes; its fourth is the type, and a server starts with SETTINGS (4).
        var header = [UInt8](repeating: 0, count: 9)
        var received = 0
        while received < header.count {
            let count = header.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, $0.count - received, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            received += count
        }
        return header[3] == 4
    }
}
