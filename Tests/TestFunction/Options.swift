/// The command line every composition function accepts. `--insecure` is the only mode this function
/// serves (plaintext HTTP/2), and `--debug` changes nothing; both are accepted because runtimes pass them.
struct Options {
    var host = "0.0.0.0"
    var port = 9443

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    init(arguments: [String]) throws {
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--insecure", "--debug", "-d":
                continue
            case "--address":
                guard let value = remaining.popFirst() else { throw UsageError(description: "--address needs HOST:PORT") }
                try setAddress(value)
            case _ where argument.hasPrefix("--address="):
                try setAddress(String(argument.dropFirst("--address=".count)))
            case "--tls-certs-dir", "--network":
                // Accepted for compatibility; TLS is not served and the network is always TCP.
                _ = remaining.popFirst()
            case "-h", "--help":
                throw UsageError(description: "usage: xfn-test-function [--insecure] [--debug] [--address HOST:PORT]")
            default:
                throw UsageError(description: "unknown argument \(argument)")
            }
        }
    }

    private mutating func setAddress(_ value: String) throws {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
              (0...65535).contains(port)
        else { throw UsageError(description: "--address \(value): expected HOST:PORT") }
        var host = String(value[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host.isEmpty ? "0.0.0.0" : host
        self.port = port
    }
}
