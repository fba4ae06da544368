import Foundation

#if os(Linux)
private let streamType = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#else
private let streamType = SOCK_STREAM
private let sendFlags: Int32 = 0
#endif

/// POSIX TCP on 127.0.0.1 only; every test peer listens and connects through these helpers.
enum Loopback {
    /// A listening socket on 127.0.0.1; port 0 lets the kernel choose a free port.
    static func listen(port: UInt16 = 0) throws -> (fd: Int32, port: UInt16) {
        ignoreBrokenPipes
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw TestSupportError("socket(): \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = loopbackAddress(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Foundation.listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSupportError("cannot listen on 127.0.0.1:\(port): \(reason)")
        }
        return (fd, try localPort(of: fd))
    }

    /// A port that was free a moment ago, for programs (the registry) that must be told a port.
    static func freePort() throws -> UInt16 {
        let (fd, port) = try listen()
        close(fd)
        return port
    }

    static func connect(port: UInt16, timeoutSeconds: Int = 30) throws -> SocketConnection {
        ignoreBrokenPipes
        let fd = socket(AF_INET, streamType, 0)
        guard fd >= 0 else { throw TestSupportError("socket(): \(String(cString: strerror(errno)))") }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestSupportError("cannot connect to 127.0.0.1:\(port): \(reason)")
        }
        return SocketConnection(fd: fd, timeoutSeconds: timeoutSeconds)
    }

    static func localPort(of fd: Int32) throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw TestSupportError("getsockname(): \(String(cString: strerror(errno)))") }
        return UInt16(bigEndian: address.sin_port)
    }

    private static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A peer that hangs up mid-write must fail that write, not kill the test process.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
}

/// One TCP connection with a read buffer. A single thread reads and writes it; `shutdown()` may be
/// called from any thread to wake that thread up, and only the owner closes the descriptor.
final class SocketConnection: @unchecked Sendable {
    let fd: Int32
    /// Sequence number the accepting server gave this connection (0 for outgoing ones).
    var serial = 0
    private var buffer: [UInt8] = []
    private var start = 0
    private var isClosed = false

    init(fd: Int32, timeoutSeconds: Int = 30) {
        self.fd = fd
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close() }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        Foundation.close(fd)
    }

    func shutdown() { _ = Foundation.shutdown(fd, Int32(SHUT_RDWR)) }

    // MARK: writing

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ text: String) throws { try write(Array(text.utf8)) }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < raw.count {
            let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, sendFlags)
            if sent < 0 {
                if errno == EINTR { continue }
                throw TestSupportError("send failed: \(String(cString: strerror(errno)))")
            }
            offset += sent
        }
    }

    // MARK: reading

    private var buffered: Int { buffer.count - start }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw TestSupportError("recv failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
    }

    /// The next byte without consuming it; nil at end of stream (or on a read error).
    func peekByte() -> UInt8? {
        if buffered == 0 {
            guard (try? fill()) == true else { return nil }
        }
        return buffer[start]
    }

    /// Up to `limit` bytes, buffered ones first; empty at end of stream.
    func readSome(limit: Int = 64 * 1024) throws -> [UInt8] {
        if buffered == 0, try !fill() { return [] }
        let count = min(limit, buffered)
        let piece = Array(buffer[start..<(start + count)])
        start += count
        return piece
    }

    func readExactly(_ count: Int) throws -> [UInt8] {
        while buffered < count {
            guard try fill() else { throw TestSupportError("connection closed \(count - buffered) bytes early") }
        }
        let piece = Array(buffer[start..<(start + count)])
        start += count
        return piece
    }

    /// A line without its CRLF (or bare LF).
    func readLine(limit: Int = 64 * 1024) throws -> String {
        var scanned = start
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                var end = newline
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[start..<end], as: UTF8.self)
                start = newline + 1
                return line
            }
            scanned = buffer.count
            guard buffered < limit else { throw TestSupportError("line longer than \(limit) bytes") }
            guard try fill() else { throw TestSupportError("connection closed inside a line") }
        }
    }

    /// The next message head, or nil when the peer closed the connection before sending one.
    func readHead() throws -> HTTPHead? {
        if buffered == 0 {
            do {
                guard try fill() else { return nil }
            } catch {
                return nil
            }
        }
        let startLine = try readLine()
        var headers: [HTTPHeader] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append(HTTPHeader(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return HTTPHead(startLine: startLine, headers: headers)
    }
}
