import Foundation
import XfnCore
import XfnTestSupport

/// A private Podman for one test: storage, run state and configuration live in a temporary
/// directory and reach Podman through its own environment variables (`CONTAINERS_CONF`,
/// `CONTAINERS_STORAGE_CONF`, `CONTAINERS_REGISTRIES_CONF`), never through xfn. The settings are the
/// ones Podman needs on a root machine without systemd, cgroup v2 delegation or CAP_SYS_RESOURCE:
/// the vfs storage driver, cgroupfs, runc, a file event log, and low rlimits it is allowed to set.
///
/// Networking: Podman's default bridge publishes ports (`-p`) but a container cannot reach the
/// host's 127.0.0.1. Host networking (`netns = "host"` in containers.conf) would let it, but then
/// Podman ignores `-p` and `podman port` prints nothing, so xfn could not find the function. The tests
/// therefore start the Python peer on 0.0.0.0 and hand the relay the host's own interface address,
/// which containers reach through the bridge. (`host.containers.internal` names the bridge's gateway,
/// but the relay is a static binary that takes literal addresses only.)
struct PodmanSandbox {
    let directory: TemporaryDirectory
    /// The variables that select this sandbox; give them to xfn's environment as well.
    let environment: [String: String]

    init(insecureRegistry: String?) throws {
        directory = try TemporaryDirectory(prefix: "xfn-podman")
        let root = directory.path
        let storage = try directory.write("""
            [storage]
            driver = "vfs"
            graphroot = "\(root)/graph"
            runroot = "\(root)/run"
            """, to: "storage.conf")
        let containers = try directory.write("""
            [containers]
            default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

            [engine]
            cgroup_manager = "cgroupfs"
            events_logger = "file"
            runtime = "runc"
            tmp_dir = "\(root)/tmp"
            """, to: "containers.conf")
        var registries = "unqualified-search-registries = []\n"
        if let insecureRegistry {
            registries += """
                [[registry]]
                location = "\(insecureRegistry)"
                insecure = true
                """
        }
        let registriesPath = try directory.write(registries, to: "registries.conf")
        environment = [
            "CONTAINERS_CONF": containers, "CONTAINERS_STORAGE_CONF": storage, "CONTAINERS_REGISTRIES_CONF": registriesPath,
            "XFN_CONTAINER_CLI": "podman",
        ]
    }

    static func podmanPath() throws -> String {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(directory)/podman"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw TestSupportError("podman is not on PATH", hint: "run scripts/bootstrap (it installs podman and runc)")
    }

    @discardableResult
    func podman(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ProcessResult {
        try await ProcessRunner.run(try Self.podmanPath(), arguments, environment: environment, timeout: timeout)
    }

    struct Container: Equatable {
        let id: String
        let name: String
        let state: String
    }

    /// Every container of this sandbox, running or not.
    func containers() async throws -> [Container] {
        let result = try await podman(["ps", "-a", "--format", "json"])
        guard result.succeeded, case .array(let entries) = try ValueJSON.parse(result.stdoutText) else {
            throw TestSupportError("podman ps failed: \(result.stderrText)")
        }
        // State is "running", "exited" or "created" here; the table format would print "Up 2 seconds".
        return entries.map { entry in
            Container(id: entry["Id"]?.stringValue ?? "", name: entry["Names"]?.arrayValue?.first?.stringValue ?? "",
                      state: entry["State"]?.stringValue ?? "")
        }
    }

    /// The environment of a container as Podman recorded it.
    func environment(of container: String) async throws -> [String] {
        let result = try await podman(["inspect", "--type", "container", "--format", "{{json .Config.Env}}", container])
        guard result.succeeded, case .array(let entries) = try ValueJSON.parse(result.stdoutText) else {
            throw TestSupportError("podman inspect failed: \(result.stderrText)")
        }
        return entries.compactMap(\.stringValue)
    }

    /// Removes every container and image, then the storage itself.
    func remove() async {
        _ = try? await podman(["rm", "-a", "-f", "-t", "0"])
        _ = try? await podman(["rmi", "-a", "-f"])
        directory.remove()
    }

    /// Runs `body` with a sandbox and removes it afterwards, also when `body` throws.
    static func with<T>(insecureRegistry: String?, _ body: (PodmanSandbox) async throws -> T) async throws -> T {
        let sandbox = try PodmanSandbox(insecureRegistry: insecureRegistry)
        do {
            let result = try await body(sandbox)
            await sandbox.remove()
            return result
        } catch {
            await sandbox.remove()
            throw error
        }
    }

    /// This machine's first non-loopback IPv4 address, which containers on Podman's bridge can reach.
    static func hostAddress() throws -> String {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let list else { throw TestSupportError("getifaddrs failed") }
        defer { freeifaddrs(list) }
        var entry: UnsafeMutablePointer<ifaddrs>? = list
        while let current = entry {
            defer { entry = current.pointee.ifa_next }
            guard let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            let ip = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer -> String in
                var value = pointer.pointee.sin_addr
                inet_ntop(AF_INET, &value, &text, socklen_t(text.count))
                return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            // Skip loopback and Podman's own bridge, which exists only while containers run.
            if !ip.hasPrefix("127."), !ip.hasPrefix("10.88.") { return ip }
        }
        throw TestSupportError("no non-loopback IPv4 address on this machine",
                               hint: "containers reach the test's function peer through the host's own address")
    }
}
