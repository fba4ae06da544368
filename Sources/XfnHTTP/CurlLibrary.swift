import CCurl

/// libcurl's functions, looked up when the first request is made (see `Sources/CCurl/shim.h` for
/// why it is not linked), and its process-wide initialisation, done once before any handle.
struct CurlLibrary: @unchecked Sendable {
    /// Immutable once loaded; the functions it points to are libcurl's own.
    let api: xfn_curl

    private static let loaded: Result<CurlLibrary, LoadFailure> = {
        var api = xfn_curl()
        if let reason = xfn_curl_open(&api) {
            return .failure(LoadFailure(reason: String(cString: reason)))
        }
        guard api.global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK else {
            return .failure(LoadFailure(reason: "curl_global_init failed"))
        }
        return .success(CurlLibrary(api: api))
    }()

    private struct LoadFailure: Error {
        let reason: String
    }

    /// The library, or an error for the request to `url` that needed it.
    static func forRequest(to url: String) throws -> CurlLibrary {
        switch loaded {
        case .success(let library):
            return library
        case .failure(let failure):
            throw HTTPError(kind: .other, url: url,
                            detail: "cannot load libcurl: \(failure.reason) (install libcurl 4, e.g. apt install libcurl4)")
        }
    }

    /// The library, which a transfer in flight proves was loaded.
    static var alreadyLoaded: CurlLibrary {
        guard case .success(let library) = loaded else { preconditionFailure("libcurl is used before a request loaded it") }
        return library
    }
}
