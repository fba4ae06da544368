import Foundation
import Synchronization
import XfnCore
import XfnTestSupport

// Serves example and benchmark images from a real Distribution registry on 127.0.0.1, built from
// testdata/ by the test-support code, until it receives SIGINT or SIGTERM.
//
//   xfn-fixtures serve --state DIR [--packages DIR] [--random NAME:LAYERS:BYTES]...
//                      [--function NAME:EXECUTABLE]... [--tls] [--user NAME:PASSWORD]
//
// `--function` pushes a runnable function image `xfn-functions/NAME:v1` holding EXECUTABLE (e.g. the
// test function) at /function, its entrypoint, /etc/function-name and, when EXECUTABLE is dynamically
// linked, the shared objects it loads. When the packages directory has a NAME package, the function
// image carries its package.yaml too and replaces that package at `xfn-examples/NAME:v0.1.0`.
//
// When ready it writes DIR/env (shell exports: XFN_FIXTURE_REGISTRY, DOCKER_CONFIG, XDG_CONFIG_HOME),
// DIR/references (one pushed reference a line) and finally DIR/ready.

struct Options {
    var state = ""
    var packages: String?
    var random: [(name: String, layers: Int, bytes: Int)] = []
    var functions: [(name: String, executable: String)] = []
    var tls = false
    var user: RegistryCredentials?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        guard rest.popFirst() == "serve" else { throw TestSupportError("usage: xfn-fixtures serve --state DIR [--packages DIR] [--random NAME:LAYERS:BYTES] [--function NAME:EXECUTABLE] [--tls] [--user NAME:PASSWORD]") }
        while let flag = rest.popFirst() {
            switch flag {
            case "--state": state = rest.popFirst() ?? ""
            case "--packages": packages = rest.popFirst()
            case "--tls": tls = true
            case "--user":
                let parts = (rest.popFirst() ?? "").split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw TestSupportError("--user takes NAME:PASSWORD") }
                user = RegistryCredentials(username: parts[0], password: parts[1])
            case "--random":
                let parts = (rest.popFirst() ?? "").split(separator: ":").map(String.init)
                guard parts.count == 3, let layers = Int(parts[1]), let bytes = Int(parts[2]) else {
                    throw TestSupportError("--random takes NAME:LAYERS:BYTES")
                }
                random.append((parts[0], layers, bytes))
            case "--function":
                let parts = (rest.popFirst() ?? "").split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw TestSupportError("--function takes NAME:EXECUTABLE")
                }
                functions.append((parts[0], parts[1]))
            default: throw TestSupportError("unknown flag \(flag)")
            }
        }
        guard !state.isEmpty else { throw TestSupportError("--state DIR is required") }
    }
}

/// A package directory's package.yaml, its `REGISTRY/` references pointing at the served registry.
func packageYAML(directory: String, registryHost: String) throws -> String {
    try String(contentsOfFile: directory + "/package.yaml", encoding: .utf8)
        .replacingOccurrences(of: "REGISTRY/", with: registryHost + "/")
}

/// One image per package directory: package.yaml as the base layer, other files as a second layer.
func packageImage(directory: String, registryHost: String) throws -> TestImage {
    let fileManager = FileManager.default
    let yaml = try packageYAML(directory: directory, registryHost: registryHost)
    var layers: [TestLayer] = [.xpkg(packageYAML: yaml)]
    let others = try fileManager.contentsOfDirectory(atPath: directory).filter { $0 != "package.yaml" }.sorted()
    if !others.isEmpty {
        layers.append(.files(try others.map { TarFile(path: $0, contents: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }))
    }
    return TestImage(layers: layers)
}

func run() async throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    try FileManager.default.createDirectory(atPath: options.state, withIntermediateDirectories: true)

    let auth: RegistryAuth = options.user.map { .htpasswd(users: [$0.username: $0.password]) } ?? .anonymous
    let registry = try await RegistryProcess.start(auth: auth, tls: options.tls)
    defer { registry.stop() }
    let layouts = try TemporaryDirectory(prefix: "xfn-fixtures")
    var references: [String] = []

    let runnable = Set(options.functions.map(\.name))
    if let packages = options.packages {
        for name in try FileManager.default.contentsOfDirectory(atPath: packages).sorted() where !runnable.contains(name) {
            let directory = packages + "/" + name
            guard FileManager.default.fileExists(atPath: directory + "/package.yaml") else { continue }
            let builder = try OCIImageBuilder(layoutPath: layouts.appending(name))
            try builder.addImage(try packageImage(directory: directory, registryHost: registry.host), tag: "v0.1.0")
            try await Skopeo.push(layout: builder.layoutPath, tag: "v0.1.0", to: registry, repository: "xfn-examples/\(name)", creds: options.user, all: false)
            references.append("\(registry.host)/xfn-examples/\(name):v0.1.0")
        }
    }
    for image in options.random {
        let builder = try OCIImageBuilder(layoutPath: layouts.appending(image.name))
        try builder.addImage(TestImage(layers: Array(repeating: .random(size: image.bytes), count: image.layers)), tag: "v1")
        try await Skopeo.push(layout: builder.layoutPath, tag: "v1", to: registry, repository: "xfn-bench/\(image.name)", creds: options.user, all: false)
        references.append("\(registry.host)/xfn-bench/\(image.name):v1")
    }

    for function in options.functions {
        let layout = layouts.appending("function-\(function.name)")
        let libraries = try await FunctionImageLayout.sharedLibraryFiles(of: function.executable)
        let packageDirectory = options.packages.map { "\($0)/\(function.name)" }
        let metadata = try packageDirectory.flatMap { directory -> String? in
            guard FileManager.default.fileExists(atPath: directory + "/package.yaml") else { return nil }
            return try packageYAML(directory: directory, registryHost: registry.host)
        }
        let (repository, tag) = metadata == nil ? ("xfn-functions/\(function.name)", "v1") : ("xfn-examples/\(function.name)", "v0.1.0")
        // A file naming the function makes every image's layer distinct, as two real functions' are,
        // so pulling two of them moves and unpacks two layers even when they hold the same executable.
        try FunctionImageLayout.write(executable: function.executable, to: layout, tag: tag,
                                      otherFiles: [TarFile(path: "etc/function-name", contents: Data("\(function.name)\n".utf8))] + libraries,
                                      packageYAML: metadata)
        try await Skopeo.push(layout: layout, tag: tag, to: registry, repository: repository, creds: options.user, all: false)
        references.append("\(registry.host)/\(repository):\(tag)")
    }

    var environment = "export XFN_FIXTURE_REGISTRY=\(registry.host)\n"
    if let user = options.user {
        let auth = Data("\(user.username):\(user.password)".utf8).base64EncodedString()
        let dockerDirectory = options.state + "/docker"
        try FileManager.default.createDirectory(atPath: dockerDirectory, withIntermediateDirectories: true)
        try #"{"auths":{"\#(registry.host)":{"auth":"\#(auth)"}}}"#.write(toFile: dockerDirectory + "/config.json", atomically: true, encoding: .utf8)
        environment += "export DOCKER_CONFIG=\(dockerDirectory)\n"
    }
    if let ca = registry.caCertificatePath {
        let configHome = options.state + "/config"
        let certificates = configHome + "/containers/certs.d/\(registry.host)"
        try FileManager.default.createDirectory(atPath: certificates, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: certificates + "/ca.crt")
        try FileManager.default.copyItem(atPath: ca, toPath: certificates + "/ca.crt")
        environment += "export XDG_CONFIG_HOME=\(configHome)\n"
    }
    try environment.write(toFile: options.state + "/env", atomically: true, encoding: .utf8)
    try (references.joined(separator: "\n") + "\n").write(toFile: options.state + "/references", atomically: true, encoding: .utf8)
    try "".write(toFile: options.state + "/ready", atomically: true, encoding: .utf8)

    await untilInterrupted()
}

/// Returns on SIGINT or SIGTERM, whichever thread the kernel hands it to, so the registry is stopped
/// (a blocked-signal `sigwait` only covers the thread that blocked it; the others would die at once).
func untilInterrupted() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let received = Mutex(false)
    var sources: [any DispatchSourceSignal] = []
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        for number in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let first = received.withLock { seen in
                    defer { seen = true }
                    return !seen
                }
                if first { continuation.resume() }
            }
            source.resume()
            sources.append(source)
        }
    }
    for source in sources { source.cancel() }
}

do {
    try await run()
} catch {
    FileHandle.standardError.write(Data("xfn-fixtures: \(error)\n".utf8))
    exit(1)
}
