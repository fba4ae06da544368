import Foundation
import XfnCore
import XfnTestSupport

/// Runs the built `xfn` binary in an isolated home, so no login file or proxy of the machine running the
/// tests leaks in.
struct XfnProcess {
    let home: TemporaryDirectory
    let cacheDirectory: String
    var environment: [String: String]

    init() throws {
        home = try TemporaryDirectory(prefix: "xfn-home")
        cacheDirectory = home.appending("cache")
        environment = [
            "HOME": home.path,
            "XDG_CONFIG_HOME": home.appending(".config"),
            "XDG_RUNTIME_DIR": home.appending("run"),
            "XDG_CACHE_HOME": home.appending(".cache"),
            "DOCKER_CONFIG": home.appending(".docker"),
            "REGISTRY_AUTH_FILE": "", "DOCKER_AUTH_CONFIG": "", "XFN_CACHE_DIR": "",
            // Crossplane's own schemas are never pulled from the internet; tests that need them serve an image.
            "XFN_CROSSPLANE_IMAGE": "",
            "HTTPS_PROXY": "", "https_proxy": "", "HTTP_PROXY": "", "http_proxy": "", "ALL_PROXY": "", "all_proxy": "",
            "SSL_CERT_FILE": "", "SSL_CERT_DIR": "",
            // Cloud metadata services only ever on loopback, on a port nothing listens on.
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1",
            "GCE_METADATA_HOST": "127.0.0.1:1",
        ]
    }

    static var binary: String {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the test runner is `.build/debug/xfnPackageTests.xctest`, beside `xfn`.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("xfn").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return "xfn"
    }

    /// Writes a Docker config with Basic credentials for `host`.
    func writeDockerLogin(host: String, username: String, password: String) throws {
        let auth = Data("\(username):\(password)".utf8).base64EncodedString()
        _ = try home.subdirectory(".docker")
        _ = try home.write(#"{"auths":{"\#(host)":{"auth":"\#(auth)"}}}"#, to: ".docker/config.json")
    }

    /// Places a registry's CA where podman and skopeo users put it: `~/.config/containers/certs.d/HOST/ca.crt`.
    func trustCertificate(_ caPath: String, for host: String) throws {
        let directory = try home.subdirectory(".config/containers/certs.d/\(host)")
        try FileManager.default.copyItem(atPath: caPath, toPath: directory + "/ca.crt")
    }

    @discardableResult
    func run(_ arguments: [String], input: Data? = nil, in directory: String? = nil, timeout: Duration = .seconds(120)) async throws -> ProcessResult {
        try await ProcessRunner.run(Self.binary, arguments, environment: environment, currentDirectory: directory, input: input, timeout: timeout)
    }

    /// `xfn pull` with this process's cache.
    func pull(_ references: [String], _ flags: [String] = []) async throws -> ProcessResult {
        try await run(["pull", "--cache-dir", cacheDirectory] + flags + references)
    }
}

/// Builds test images as OCI layouts and pushes them with skopeo.
enum Fixtures {
    static let packageYAML = """
        apiVersion: meta.pkg.crossplane.io/v1beta1
        kind: Function
        metadata:
          name: function-test
        spec:
          crossplane:
            version: ">=v1.14.0"
        """

    /// A two-platform index whose images hold an xpkg base layer and `layers` random layers, pushed to
    /// `registry` as `repository:tag`.
    static func pushIndex(to registry: RegistryProcess, repository: String, tag: String = "v1", layerSizes: [Int] = [64 << 10, 200 << 10],
                          creds: RegistryCredentials? = nil) async throws -> BuiltIndex {
        let layout = try TemporaryDirectory(prefix: "xfn-layout")
        let builder = try OCIImageBuilder(layoutPath: layout.appending("oci"))
        let images = ["amd64", "arm64"].map { architecture in
            TestImage(layers: [.xpkg(packageYAML: packageYAML)] + layerSizes.map { .random(size: $0) }, architecture: architecture)
        }
        let built = try builder.addIndex(images, tag: tag)
        try await Skopeo.push(layout: builder.layoutPath, tag: tag, to: registry, repository: repository, creds: creds)
        return built
    }

    /// A single-platform image (no index).
    static func pushImage(to registry: RegistryProcess, repository: String, tag: String = "v1", layerSizes: [Int],
                          creds: RegistryCredentials? = nil) async throws -> BuiltImage {
        let layout = try TemporaryDirectory(prefix: "xfn-layout")
        let builder = try OCIImageBuilder(layoutPath: layout.appending("oci"))
        let built = try builder.addImage(TestImage(layers: layerSizes.map { .random(size: $0) }), tag: tag)
        try await Skopeo.push(layout: builder.layoutPath, tag: tag, to: registry, repository: repository, creds: creds, all: false)
        return built
    }
}
