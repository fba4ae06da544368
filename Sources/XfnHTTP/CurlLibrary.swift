import CCurl
import XfnCore

/// libcurl, opened when the first request is made (see `Sources/CCurl/shim.h`) and initialised
/// once before any handle.
enum CurlLibrary {
    private static let loaded: Result<FunctionTable<xfn_curl>, FunctionTable<xfn_curl>.OpenFailure> =
        FunctionTable.open(xfn_curl(), with: xfn_curl_open).flatMap { table in
            table.functions.global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
                ? .success(table) : .failure(.init(reason: "curl_global_init failed"))
        }

    /// libcurl's functions, or an error for the request to `url` that needed them.
    static func forRequest(to url: String) throws -> xfn_curl {
        switch loaded {
        case .success(let table):
            return table.functions
        case .failure(let failure):
            throw HTTPError(kind: .other, url: url,
                            detail: "cannot load libcurl: \(failure.reason) (install libcurl 4, e.g. apt install libcurl4)")
        }
    }

    /// libcurl's functions, which a transfer in flight proves were loaded.
    static var alreadyLoaded: xfn_curl {
        guard case .success(let table) = loaded else { preconditionFailure("libcurl is used before a request loaded it") }
        return table.functions
    }
}
