import Foundation
import XfnCore

/// How a function image's entrypoint is started.
///
/// Under bubblewrap the unpacked rootfs is mounted read-only as `/`, with a fresh `/proc`, a minimal
/// `/dev` and an empty writable `/tmp`; every namespace is new except the network one, and all
/// capabilities are dropped. The network namespace is shared on purpose: functions take a TCP
/// `--address` (the Go and Python SDKs' flag), so the simplest contract that every function honours
/// is listening on a loopback port xfn chooses. The sandbox can therefore reach the host's network
/// but cannot write anywhere outside its own `/tmp`.
enum Sandbox {
    struct Launch {
        var executable: String
        var arguments: [String]
        var environment: [String: String]?
        var workingDirectory: String?
    }

    static func command(for image: FunctionImage, function: String, port: Int, sandboxed: Bool) throws -> Launch {
        let program = image.entrypoint + image.command
        guard let first = program.first else {
            throw RenderError(.runtime, "function \"\(function)\": its image sets no entrypoint or command to run")
        }
        let serve = ["--insecure", "--address", "127.0.0.1:\(port)"]
        let environment = imageEnvironment(image.environment)
        if sandboxed {
            try createMountPoints(in: image.rootfs)
            var arguments = [
                "--ro-bind", image.rootfs, "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--unshare-all", "--share-net", "--die-with-parent", "--cap-drop", "ALL", "--clearenv",
            ]
            for key in environment.keys.sorted() { arguments += ["--setenv", key, environment[key]!] }
            arguments += ["--chdir", image.workingDirectory.flatMap { $0.isEmpty ? nil : $0 } ?? "/", "--"]
            arguments += program + serve
            return Launch(executable: try bubblewrap(), arguments: arguments, environment: nil, workingDirectory: nil)
        }
        // Without a sandbox the entrypoint runs from the unpacked rootfs on the host, which works for
        // statically linked functions only.
        let executable = first.hasPrefix("/") ? image.rootfs + first : first
        let directory = image.rootfs + (image.workingDirectory.flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        return Launch(executable: executable, arguments: Array(program.dropFirst()) + serve,
                      environment: environment, workingDirectory: directory)
    }

    /// bubblewrap mounts /proc, /dev and /tmp over directories of the read-only root, so they must
    /// exist before it starts; images built FROM scratch often lack them.
    static func createMountPoints(in rootfs: String) throws {
        for directory in ["proc", "dev", "tmp"] {
            let path = (rootfs as NSString).appendingPathComponent(directory)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { continue }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            } catch {
                throw RenderError(.runtime, "cannot prepare \(path) for the sandbox: \(error.localizedDescription)")
            }
        }
    }

    /// `KEY=VALUE` pairs from the image config; a PATH default like container runtimes give.
    static func imageEnvironment(_ pairs: [String]) -> [String: String] {
        var environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            environment[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return environment
    }

    static func bubblewrap() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/bwrap"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw RenderError(.runtime, "bubblewrap (bwrap) is not installed, so functions cannot run in a sandbox",
                          hint: "install bubblewrap, or pass --no-sandbox to run functions without one")
    }

    /// Runs `bwrap … true` once, so a machine that forbids namespaces gets one clear error instead of
    /// every function failing to start.
    static func check() async throws {
        let executable = try bubblewrap()
        let result: (status: Int32, stderr: String) = try await BlockingIO.run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--unshare-all", "--share-net",
                                 "--die-with-parent", "--cap-drop", "ALL", "--", "/bin/true"]
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        guard result.status == 0 else {
            throw RenderError(.runtime, "bubblewrap cannot create a sandbox here: \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))",
                              hint: "allow unprivileged user namespaces, or pass --no-sandbox to run functions without a sandbox")
        }
    }
}
