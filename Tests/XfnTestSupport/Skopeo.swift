import Foundation
import XfnCore

/// A username and password for a registry.
public struct RegistryCredentials: Sendable {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }
}

/// `skopeo` as a reference client: pushes fixture layouts, inspects and pulls images. Always runs with
/// `--insecure-policy` and, without credentials, `--*-no-creds`, so nothing on the machine leaks in.
/// Failures throw `CommandFailed` carrying skopeo's stderr.
public enum Skopeo {
    /// TLS settings for one side of a copy.
    public struct Transport: Sendable {
        public var creds: RegistryCredentials?
        /// False for plain-HTTP registries.
        public var tlsVerify: Bool
        /// A directory holding `ca.crt` for a registry with a private CA.
        public var certDir: String?

        public init(creds: RegistryCredentials? = nil, tlsVerify: Bool = true, certDir: String? = nil) {
            self.creds = creds
            self.tlsVerify = tlsVerify
            self.certDir = certDir
        }

        /// Settings that reach `registry` (plain HTTP or its generated CA) with `creds`.
        public static func to(_ registry: RegistryProcess, creds: RegistryCredentials? = nil) -> Transport {
            Transport(creds: creds, tlsVerify: registry.scheme == "https", certDir: registry.certDirectory)
        }

        func arguments(side: String) -> [String] {
            var arguments = ["--\(side)-tls-verify=\(tlsVerify)"]
            if let certDir { arguments += ["--\(side)-cert-dir", certDir] }
            if let creds {
                arguments += ["--\(side)-creds", "\(creds.username):\(creds.password)"]
            } else {
                arguments.append("--\(side)-no-creds")
            }
            return arguments
        }
    }

    /// `skopeo copy oci:LAYOUT:TAG docker://REFERENCE` (`--all` keeps every platform of an index).
    @discardableResult
    public static func push(
        layout: String, tag: String, to reference: String, creds: RegistryCredentials? = nil,
        tlsVerify: Bool = true, certDir: String? = nil, all: Bool = true, timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        let transport = Transport(creds: creds, tlsVerify: tlsVerify, certDir: certDir)
        var arguments = ["--insecure-policy", "copy", "-q", "--retry-times", "0"]
        if all { arguments.append("--all") }
        arguments += transport.arguments(side: "dest")
        arguments += ["oci:\(layout):\(tag)", "docker://\(reference)"]
        return try await ProcessRunner.runChecked("skopeo", arguments, environment: isolatedEnvironment, timeout: timeout)
    }

    /// Pushes to `registry` as `repository:tag`, picking plain HTTP or its CA automatically.
    @discardableResult
    public static func push(
        layout: String, tag: String, to registry: RegistryProcess, repository: String,
        creds: RegistryCredentials? = nil, all: Bool = true
    ) async throws -> ProcessResult {
        try await push(
            layout: layout, tag: tag, to: "\(registry.host)/\(repository):\(tag)", creds: creds,
            tlsVerify: registry.scheme == "https", certDir: registry.certDirectory, all: all)
    }

    /// `skopeo copy docker://REFERENCE oci:LAYOUT:TAG`.
    @discardableResult
    public static func pull(
        _ reference: String, toLayout layout: String, tag: String, transport: Transport, all: Bool = true,
        timeout: Duration = .seconds(120)
    ) async throws -> ProcessResult {
        var arguments = ["--insecure-policy", "copy", "-q", "--retry-times", "0"]
        if all { arguments.append("--all") }
        arguments += transport.arguments(side: "src")
        arguments += ["docker://\(reference)", "oci:\(layout):\(tag)"]
        return try await ProcessRunner.runChecked("skopeo", arguments, environment: isolatedEnvironment, timeout: timeout)
    }

    /// `skopeo inspect` (`raw` gives the manifest or index as stored), parsed as JSON.
    public static func inspect(_ reference: String, transport: Transport, raw: Bool = false) async throws -> Value {
        try ValueJSON.parse(try await inspectData(reference, transport: transport, raw: raw))
    }

    /// The bytes `skopeo inspect` printed; with `raw` they are exactly the registry's manifest bytes.
    public static func inspectData(_ reference: String, transport: Transport, raw: Bool = false) async throws -> Data {
        var arguments = ["--insecure-policy", "inspect", "--retry-times", "0"]
        if raw { arguments.append("--raw") }
        arguments.append("--tls-verify=\(transport.tlsVerify)")
        if let certDir = transport.certDir { arguments += ["--cert-dir", certDir] }
        if let creds = transport.creds {
            arguments += ["--creds", "\(creds.username):\(creds.password)"]
        } else {
            arguments.append("--no-creds")
        }
        arguments.append("docker://\(reference)")
        return try await ProcessRunner.runChecked("skopeo", arguments, environment: isolatedEnvironment,
                                                  timeout: .seconds(60)).stdout
    }

    /// No auth files or proxies from the developer's machine.
    private static var isolatedEnvironment: [String: String] {
        ["REGISTRY_AUTH_FILE": "/nonexistent/xfn-test-auth.json", "HTTP_PROXY": "", "HTTPS_PROXY": "",
         "http_proxy": "", "https_proxy": "", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"]
    }
}

/// `umoci` for turning an OCI layout into a runtime bundle (rootfs + config.json).
public enum Umoci {
    /// `umoci unpack --image LAYOUT:TAG BUNDLE` (adds `--rootless` when not root).
    @discardableResult
    public static func unpack(layout: String, tag: String, bundle: String) async throws -> ProcessResult {
        var arguments = ["unpack"]
        if getuid() != 0 { arguments.append("--rootless") }
        arguments += ["--image", "\(layout):\(tag)", bundle]
        return try await ProcessRunner.runChecked("umoci", arguments, timeout: .seconds(120))
    }
}
