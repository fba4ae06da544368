import CCurl
import COpenSSL
import Foundation
import XfnCore

/// One request in flight: owns its curl easy handle and header lists, collects the response, and
/// resumes the waiting task exactly once. Touched by the transport thread while running; its setup and
/// completion hand over through the loop's lock, hence `@unchecked Sendable`.
final class Transfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private let curl: xfn_curl
    let request: HTTPRequest
    let sink: (any ResponseBodySink)?
    let bufferLimit: Int
    let errorBodyLimit = 64 << 10
    let caFiles: [String]

    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var resolveList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    private(set) var status = 0
    private(set) var headers = HTTPHeaders()
    private(set) var body = Data()
    private var bodyDecided = false
    private var bodyGoesToSink = false
    private var failure: (any Error)?
    private var continuation: CheckedContinuation<HTTPResponse, any Error>?
    var cancelRequested = false

    init(request: HTTPRequest, settings: TransportSettings, sink: (any ResponseBodySink)?, bufferLimit: Int) throws {
        curl = try CurlLibrary.forRequest(to: request.url)
        guard let easy = curl.easy_init() else {
            throw HTTPError(kind: .other, url: request.url, detail: "libcurl could not create a handle")
        }
        self.easy = easy
        self.request = request
        self.sink = sink
        self.bufferLimit = bufferLimit
        errorBuffer.initialize(to: 0)
        let hostPort = HTTPError.hostPort(of: request.url)
        let certificates = settings.hostCertificates(for: hostPort)
        self.caFiles = certificates.caFiles
        try configure(settings: settings, hostPort: hostPort, certificates: certificates)
    }

    deinit {
        curl.easy_cleanup(easy)
        curl.slist_free_all(headerList)
        curl.slist_free_all(resolveList)
        errorBuffer.deallocate()
    }

    func attach(_ continuation: CheckedContinuation<HTTPResponse, any Error>) { self.continuation = continuation }

    private func set(_ option: CURLoption, _ value: Int) { xfn_curl_setopt_long(curl.easy_setopt, easy, option, value) }
    private func set(_ option: CURLoption, _ value: String) { xfn_curl_setopt_string(curl.easy_setopt, easy, option, value) }

    private func configure(settings: TransportSettings, hostPort: String, certificates: HostCertificates) throws {
        set(CURLOPT_URL, request.url)
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_FOLLOWLOCATION, 0)
        set(CURLOPT_TCP_KEEPALIVE, 1)
        set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        set(CURLOPT_CONNECTTIMEOUT, settings.connectTimeoutSeconds)
        set(CURLOPT_LOW_SPEED_LIMIT, 1)
        set(CURLOPT_LOW_SPEED_TIME, settings.stallTimeoutSeconds)
        if let timeout = request.timeout {
            let (seconds, attoseconds) = timeout.components
            set(CURLOPT_TIMEOUT_MS, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
        }
        set(CURLOPT_USERAGENT, settings.userAgent)
        // Large reads: a 16 KiB default means a write and a hash call per 16 KiB of every layer.
        set(CURLOPT_BUFFERSIZE, 512 * 1024)
        xfn_curl_setopt_pointer(curl.easy_setopt, easy, CURLOPT_ERRORBUFFER, errorBuffer)

        switch request.method {
        case "GET": break
        case "HEAD": set(CURLOPT_NOBODY, 1)
        default: set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            set(CURLOPT_POSTFIELDSIZE_LARGE, body.count)
            body.withUnsafeBytes { raw in
                _ = xfn_curl_setopt_pointer(curl.easy_setopt, easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }

        // An empty `Expect:` stops libcurl from waiting for `100 Continue` before small bodies.
        var lines = request.headers.map { "\($0.name): \($0.value)" }
        lines.append("Expect:")
        for line in lines { headerList = curl.slist_append(headerList, line) }
        xfn_curl_setopt_slist(curl.easy_setopt, easy, CURLOPT_HTTPHEADER, headerList)

        let scheme = request.url.hasPrefix("https://") ? "https" : "http"
        set(CURLOPT_PROXY, settings.proxy(forScheme: scheme) ?? "")
        if let noProxy = settings.noProxy { set(CURLOPT_NOPROXY, noProxy) }
        if let bundle = settings.caBundle { set(CURLOPT_CAINFO, bundle) }
        if let directory = settings.caDirectory { set(CURLOPT_CAPATH, directory) }
        if !caFiles.isEmpty {
            xfn_curl_setopt_ssl_ctx_callback(curl.easy_setopt, easy, transferAddCertificateAuthorities)
            xfn_curl_setopt_pointer(curl.easy_setopt, easy, CURLOPT_SSL_CTX_DATA, Unmanaged.passUnretained(self).toOpaque())
        }
        if let client = certificates.clientCertificate {
            set(CURLOPT_SSLCERT, client.certificate)
            set(CURLOPT_SSLKEY, client.key)
        }
        if settings.skipsTLSVerification(hostPort) {
            set(CURLOPT_SSL_VERIFYPEER, 0)
            set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if !settings.resolve.isEmpty {
            for entry in settings.resolve { resolveList = curl.slist_append(resolveList, entry) }
            xfn_curl_setopt_slist(curl.easy_setopt, easy, CURLOPT_RESOLVE, resolveList)
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        xfn_curl_setopt_data_callback(curl.easy_setopt, easy, CURLOPT_HEADERFUNCTION, transferReceiveHeader)
        xfn_curl_setopt_pointer(curl.easy_setopt, easy, CURLOPT_HEADERDATA, context)
        xfn_curl_setopt_data_callback(curl.easy_setopt, easy, CURLOPT_WRITEFUNCTION, transferReceiveBody)
        xfn_curl_setopt_pointer(curl.easy_setopt, easy, CURLOPT_WRITEDATA, context)
    }

    // MARK: Callbacks (transport thread)

    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        // "\r\n" is one Character in Swift, so trim scalars rather than characters.
        let line = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .newlines)
        if line.hasPrefix("HTTP/") {
            // A new response begins (after a proxy's CONNECT answer or an interim 1xx): start afresh.
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        headers.append(name: name, value: value)
    }

    /// Returns false to make libcurl stop the transfer.
    func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if !bodyDecided {
            bodyDecided = true
            if let sink, (200..<300).contains(status) {
                do {
                    try sink.begin(status: status, headers: headers)
                    bodyGoesToSink = true
                } catch {
                    failure = error
                    return false
                }
            }
        }
        if bodyGoesToSink {
            do { try sink!.write(bytes) } catch {
                failure = error
                return false
            }
            return true
        }
        let isError = !(200..<300).contains(status)
        let limit = isError ? errorBodyLimit : bufferLimit
        if body.count + bytes.count > limit {
            if isError {
                body.append(contentsOf: bytes.prefix(max(0, limit - body.count)))
                return true
            }
            failure = HTTPError(kind: .tooLarge(limit: limit), url: request.url, detail: "")
            return false
        }
        body.append(contentsOf: bytes)
        return true
    }

    // MARK: Completion

    func complete(code: CURLcode) {
        guard let continuation else { return }
        self.continuation = nil
        if let failure {
            continuation.resume(throwing: failure)
            return
        }
        guard code == CURLE_OK else {
            continuation.resume(throwing: error(for: code))
            return
        }
        var version = 0
        xfn_curl_getinfo_long(curl.easy_getinfo, easy, CURLINFO_HTTP_VERSION, &version)
        let major = version == Int(CURL_HTTP_VERSION_2_0) ? 2 : (version == Int(CURL_HTTP_VERSION_3) ? 3 : 1)
        continuation.resume(returning: HTTPResponse(status: status, headers: headers, body: body, url: request.url, httpMajorVersion: major))
    }

    func complete(throwing error: any Error) {
        guard let continuation else { return }
        self.continuation = nil
        continuation.resume(throwing: error)
    }

    private func error(for code: CURLcode) -> HTTPError {
        let buffered = String(cString: errorBuffer)
        let detail = buffered.isEmpty ? curl.easy_strerror(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)" : buffered
        let kind: HTTPError.Kind =
            switch code {
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .cannotResolve
            case CURLE_COULDNT_CONNECT: .cannotConnect
            case CURLE_OPERATION_TIMEDOUT: .timedOut
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
                CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR:
                .tls
            case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
                CURLE_HTTP2_STREAM:
                .interrupted
            default: .other
            }
        return HTTPError(kind: kind, url: request.url, detail: detail)
    }
}

private let transferReceiveHeader: xfn_curl_data_callback = { data, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private let transferReceiveBody: xfn_curl_data_callback = { data, size, count, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

/// Adds a registry's certs.d CAs to the trust store libcurl already loaded, as Docker and Podman merge them.
private let transferAddCertificateAuthorities: xfn_curl_ssl_ctx_callback = { _, sslContext, context in
    let transfer = Unmanaged<Transfer>.fromOpaque(context!).takeUnretainedValue()
    guard let store = SSL_CTX_get_cert_store(OpaquePointer(sslContext)) else { return CURLE_SSL_CERTPROBLEM }
    for file in transfer.caFiles where X509_STORE_load_file(store, file) != 1 {
        return CURLE_SSL_CACERT_BADFILE
    }
    return CURLE_OK
}
