import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is made.
enum CurlGlobal {
    static let initialized: Bool = {
        curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK
    }()

    static func ensureInitialized() {
        precondition(initialized, "libcurl failed to initialise")
    }
}
