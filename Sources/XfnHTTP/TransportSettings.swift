import Foundation
import XfnCore

/// How requests reach each host: plain HTTP or TLS, extra CAs, client certificates, proxies and
/// name overrides. Built once per command from flags and the environment.
public struct TransportSettings: Sendable {
    /// `HOST[:PORT]` entries spoken to over plain HTTP (`--plain-http`).
    public var plainHTTPHosts: Set<String> = []
    /// `HOST[:PORT]` entries whose TLS certificate is not verified (`--insecure-skip-tls-verify`).
    public var insecureHosts: Set<String> = []
    /// `HOST:PORT:ADDRESS` overrides, as curl's `--resolve`.
    public var resolve: [String] = []
    /// Directories searched for `HOST[:PORT]/*.crt`, `*.cert` and `*.key`; the first that exists for a host wins.
    public var certificateDirectories: [String]
    public var environment: Environment
    public var connectTimeoutSeconds = 30
    /// A transfer that moves less than one byte a second for this long is broken off (and may resume).
    public var stallTimeoutSeconds = 60
    public var maximumConnectionsPerHost = 6
    public var userAgent = "xfn/0.1"

    public init(environment: Environment = .current) {
        self.environment = environment
        self.certificateDirectories = [
            environment.configHome + "/containers/certs.d",
            "/etc/containers/certs.d",
            "/etc/docker/certs.d",
        ]
    }

    public func usesPlainHTTP(_ hostPort: String) -> Bool { Self.matches(hostPort, in: plainHTTPHosts) }
    public func skipsTLSVerification(_ hostPort: String) -> Bool { Self.matches(hostPort, in: insecureHosts) }

    /// A flag's `HOST` matches every port of that host; `HOST:PORT` only that port.
    static func matches(_ hostPort: String, in set: Set<String>) -> Bool {
        if set.contains(hostPort) { return true }
        let host = hostPort.hasPrefix("[") ? String(hostPort.prefix { $0 != "]" }) + "]" : String(hostPort.prefix { $0 != ":" })
        return set.contains(host)
    }

    /// The proxy for a URL from the environment, accepting both spellings of each variable; nil for a
    /// direct connection. `NO_PROXY` is applied by libcurl from `noProxy`.
    public func proxy(forScheme scheme: String) -> String? {
        let names = scheme == "https" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"]
        for name in names + ["all_proxy", "ALL_PROXY"] {
            if let value = environment[name] { return value }
        }
        return nil
    }

    public var noProxy: String? { environment["no_proxy"] ?? environment["NO_PROXY"] }

    /// CA bundle and directory from `SSL_CERT_FILE`/`SSL_CERT_DIR`, which libcurl does not read itself.
    public var caBundle: String? { environment["SSL_CERT_FILE"] }
    public var caDirectory: String? { environment["SSL_CERT_DIR"] }

    /// Per-host TLS material from the first certificate directory that has an entry for the host.
    public func hostCertificates(for hostPort: String) -> HostCertificates {
        let fileManager = FileManager.default
        for base in certificateDirectories {
            let directory = base + "/" + hostPort
            guard let names = try? fileManager.contentsOfDirectory(atPath: directory) else { continue }
            var result = HostCertificates(directory: directory)
            for name in names.sorted() {
                if name.hasSuffix(".crt") {
                    result.caFiles.append(directory + "/" + name)
                } else if name.hasSuffix(".cert") {
                    let key = directory + "/" + name.dropLast(5) + ".key"
                    if result.clientCertificate == nil, fileManager.fileExists(atPath: key) {
                        result.clientCertificate = (directory + "/" + name, key)
                    }
                }
            }
            return result
        }
        return HostCertificates(directory: nil)
    }
}

public struct HostCertificates: Sendable {
    public var directory: String?
    /// CA certificates added to (not replacing) the trusted set for this host.
    public var caFiles: [String] = []
    public var clientCertificate: (certificate: String, key: String)?

    public init(directory: String?) { self.directory = directory }
}
