import Foundation
import Testing
import XfnCore
@testable import XfnRender

/// A test function written with crossplane's Python SDK, served on a loopback port with --insecure,
/// the way crossplane render's Development runtime expects a function to run.
final class PythonPeer: Sendable {
    let name: String
    let port: Int
    private let process: FunctionProcess

    private init(name: String, port: Int, process: FunctionProcess) {
        self.name = name
        self.port = port
        self.process = process
    }

    /// The Function object that points xfn's development runtime at this peer.
    var functionObject: Value {
        [
            "apiVersion": "pkg.crossplane.io/v1",
            "kind": "Function",
            "metadata": [
                "name": .string(name),
                "annotations": [
                    "render.crossplane.io/runtime": "Development",
                    "render.crossplane.io/runtime-development-target": .string("127.0.0.1:\(port)"),
                ],
            ],
            "spec": ["package": .string("xpkg.example.org/test/\(name):v1")],
        ]
    }

    static func start(_ script: String, as name: String) async throws -> PythonPeer {
        let python = try TestPaths.python()
        let port = try LoopbackPort.free()
        let process = try FunctionProcess(function: name, executable: python,
                                          arguments: [TestPaths.function(script), "--insecure", "--address", "127.0.0.1:\(port)"],
                                          port: port, forwardStderr: false, environment: nil, workingDirectory: nil)
        do {
            try await process.waitUntilListening(timeout: .seconds(30))
        } catch {
            await process.stop()
            throw error
        }
        return PythonPeer(name: name, port: port, process: process)
    }

    func stop() async { await process.stop() }

    /// Starts the peers, runs `body`, and stops them however `body` ends.
    static func with<T>(_ scripts: [(script: String, name: String)], _ body: ([PythonPeer]) async throws -> T) async throws -> T {
        var peers: [PythonPeer] = []
        do {
            for entry in scripts { peers.append(try await start(entry.script, as: entry.name)) }
            let result = try await body(peers)
            for peer in peers { await peer.stop() }
            return result
        } catch {
            for peer in peers { await peer.stop() }
            throw error
        }
    }
}

enum TestPaths {
    static let testDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

    static func function(_ script: String) -> String { "\(testDirectory)/Functions/\(script)" }
    static func caseFile(_ name: String, _ file: String) -> String { "\(testDirectory)/Cases/\(name)/\(file)" }

    /// A Python that can import the SDK: $XFN_TEST_PYTHON, else python3 on PATH.
    static func python() throws -> String {
        let candidate = ProcessInfo.processInfo.environment["XFN_TEST_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [candidate, "-c", "import crossplane.function.runtime"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PeerUnavailable(message: "\(candidate) cannot import crossplane.function (the Python function SDK)",
                                  hint: "run scripts/bootstrap, or point XFN_TEST_PYTHON at a Python with crossplane-function-sdk-python")
        }
        if candidate.contains("/") { return candidate }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(directory)/\(candidate)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return candidate
    }
}

struct PeerUnavailable: XfnError {
    let message: String
    let hint: String?
}
