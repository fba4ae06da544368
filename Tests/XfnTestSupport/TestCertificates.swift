import Foundation

/// A throwaway CA and a server certificate it signed (SAN IP:127.0.0.1 and DNS:localhost), made with
/// the `openssl` CLI, for TLS peers. `certDirectory` holds `ca.crt` as skopeo's `--cert-dir` expects.
public struct TestCertificates: Sendable {
    public let caCertificatePath: String
    public let certificatePath: String
    public let keyPath: String
    public let certDirectory: String
    /// A client certificate the same CA signed (for registries that require one), also placed in
    /// `certDirectory` as `client.cert`/`client.key`, the names docker and containers tools look for.
    public let clientCertificatePath: String
    public let clientKeyPath: String

    /// Writes the files into `directory` (which the caller owns and removes).
    public static func generate(in directory: String) async throws -> TestCertificates {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let caKey = "\(directory)/ca.key"
        let caCert = "\(directory)/ca.crt"
        let key = "\(directory)/server.key"
        let csr = "\(directory)/server.csr"
        let cert = "\(directory)/server.crt"
        let extensions = "\(directory)/server.ext"
        let certDirectory = "\(directory)/certs.d"
        try fm.createDirectory(atPath: certDirectory, withIntermediateDirectories: true)
        try """
            subjectAltName = IP:127.0.0.1, DNS:localhost
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature, keyEncipherment
            extendedKeyUsage = serverAuth

            """.write(toFile: extensions, atomically: true, encoding: .utf8)
        // P-256 keys keep generation fast; Go and OpenSSL clients both accept them.
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await ProcessRunner.runChecked("openssl", ["req", "-x509"] + curve + [
            "-days", "2", "-keyout", caKey, "-out", caCert, "-subj", "/CN=xfn test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        try await ProcessRunner.runChecked("openssl", ["req"] + curve + [
            "-keyout", key, "-out", csr, "-subj", "/CN=localhost",
        ])
        try await ProcessRunner.runChecked("openssl", [
            "x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial",
            "-days", "2", "-sha256", "-extfile", extensions, "-out", cert,
        ])
        try fm.copyItem(atPath: caCert, toPath: "\(certDirectory)/ca.crt")

        let clientKey = "\(certDirectory)/client.key"
        let clientCSR = "\(directory)/client.csr"
        let clientCert = "\(certDirectory)/client.cert"
        let clientExtensions = "\(directory)/client.ext"
        try """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth

            """.write(toFile: clientExtensions, atomically: true, encoding: .utf8)
        try await ProcessRunner.runChecked("openssl", ["req"] + curve + ["-keyout", clientKey, "-out", clientCSR, "-subj", "/CN=xfn test client"])
        try await ProcessRunner.runChecked("openssl", [
            "x509", "-req", "-in", clientCSR, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial",
            "-days", "2", "-sha256", "-extfile", clientExtensions, "-out", clientCert,
        ])
        return TestCertificates(caCertificatePath: caCert, certificatePath: cert, keyPath: key,
                                certDirectory: certDirectory, clientCertificatePath: clientCert, clientKeyPath: clientKey)
    }
}
