import Foundation
import Testing
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// `xfn render` end to end: the real binary, real functions (Python SDK peers through the
/// development runtime; a sandboxed static binary from a registry through the process runtime).
@Suite(.serialized) struct RenderTests {
    @Test func developmentRuntimeMatchesTheExpectedStream() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        defer { Task { await peer.stop() } }
        let xfn = try XfnProcess()
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([(
            "function-compose",
            ["render.crossplane.io/runtime": "Development", "render.crossplane.io/runtime-development-target": "127.0.0.1:\(port)"],
            "xpkg.example.org/test/function-compose:v1")]), to: "functions.yaml")
        let result = try await xfn.run([
            "render", "-r", "-o", RenderFixtures.caseFile("compose", "observed.yaml"),
            RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions,
        ])
        #expect(result.status == 0, "\(result.stderrText)")
        let expected = try String(contentsOfFile: RenderFixtures.caseFile("compose", "expected.yaml"), encoding: .utf8)
        #expect(result.stdoutText == expected)

        // The newer CLI's name for the same command, with -a forcing the runtime as crossplane's flag does.
        let plain = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], "xpkg.example.org/test/function-compose:v1")]),
                                       to: "plain.yaml")
        let alias = try await xfn.run([
            "composition", "render", "-r", "-o", RenderFixtures.caseFile("compose", "observed.yaml"),
            "-a", "render.crossplane.io/runtime=Development", "-a", "render.crossplane.io/runtime-development-target=127.0.0.1:\(port)",
            RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), plain,
        ])
        #expect(alias.status == 0, "\(alias.stderrText)")
        #expect(alias.stdoutText == expected)
        await peer.stop()
    }

    @Test func xrdDefaultsReachTheXR() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        let xfn = try XfnProcess()
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([(
            "function-compose", ["render.crossplane.io/runtime-development-target": "127.0.0.1:\(port)"], "x.example/f:v1")]),
            to: "functions.yaml")
        let xrd = try xfn.home.write("""
            apiVersion: apiextensions.crossplane.io/v1
            kind: CompositeResourceDefinition
            metadata:
              name: xdatabases.example.org
            spec:
              group: example.org
              names:
                kind: XDatabase
                plural: xdatabases
              versions:
              - name: v1
                served: true
                referenceable: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        properties:
                          region:
                            type: string
                          size:
                            type: string
                            default: small
            """, to: "xrd.yaml")
        let result = try await xfn.run([
            "render", "--runtime", "development", "-x", "--xrd", xrd,
            RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions,
        ])
        await peer.stop()
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.contains("""
            spec:
              compositionSelector:
                matchLabels:
                  provider: aws
              region: eu-west-1
              size: small
            status:
            """))
    }

    @Test func fatalResultExitsFourWithNothingOnStdout() async throws {
        let (compose, composePort) = try await RenderFixtures.startPeer("compose.py")
        let (fatal, fatalPort) = try await RenderFixtures.startPeer("fatal.py")
        let xfn = try XfnProcess()
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([
            ("function-compose", ["render.crossplane.io/runtime-development-target": "127.0.0.1:\(composePort)"], "x.example/f:v1"),
            ("function-fatal", ["render.crossplane.io/runtime-development-target": "127.0.0.1:\(fatalPort)"], "x.example/g:v1"),
        ]), to: "functions.yaml")
        let result = try await xfn.run([
            "render", "--runtime", "development",
            RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("fatal", "composition.yaml"), functions,
        ])
        await compose.stop()
        await fatal.stop()
        #expect(result.status == 4)
        #expect(result.stdoutText.isEmpty)
        #expect(result.stderrText.contains("xfn: error: pipeline step \"check-size\" returned a fatal result: spec.size must be small, medium or large"))
    }

    @Test func processRuntimeRunsASandboxedImageFromARegistry() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        defer { Task { await peer.stop() } }
        try await RegistryProcess.with { registry in
            try await RenderFixtures.pushRelayImage(to: registry, repository: "test/function-relay", env: ["UPSTREAM=127.0.0.1:\(port)"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", [:], "\(registry.host)/test/function-relay:v1"),
            ]), to: "functions.yaml")
            let result = try await xfn.run([
                "render", "--verbose", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, "-r",
                "-o", RenderFixtures.caseFile("compose", "observed.yaml"),
                RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions,
            ])
            #expect(result.status == 0, "\(result.stderrText)")
            let expected = try String(contentsOfFile: RenderFixtures.caseFile("compose", "expected.yaml"), encoding: .utf8)
            #expect(result.stdoutText == expected)
            // The relay reports its write attempts: the read-only root refuses, its own /tmp accepts.
            #expect(result.stderrText.contains("xfn: function function-compose: write /outside-tmp: Read-only file system"))
            #expect(result.stderrText.contains("xfn: function function-compose: write /tmp/inside-tmp: ok"))
            let rootfs = try FileManager.default.subpathsOfDirectory(atPath: xfn.cacheDirectory).filter { $0.hasSuffix("outside-tmp") || $0.hasSuffix("inside-tmp") }
            #expect(rootfs.isEmpty)
        }
        await peer.stop()
    }

    @Test func functionThatNeverListensTimesOut() async throws {
        try await RegistryProcess.with { registry in
            try await RenderFixtures.pushRelayImage(to: registry, repository: "test/function-silent", env: ["NEVER_LISTEN=1"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", [:], "\(registry.host)/test/function-silent:v1"),
            ]), to: "functions.yaml")
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await xfn.run([
                "render", "--timeout", "2s", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions,
            ], timeout: .seconds(40))
            #expect(result.status == 4)
            #expect(result.stderrText.contains("function \"function-compose\" did not listen on 127.0.0.1:"))
            #expect(result.stderrText.contains("within 2s"))
            #expect(result.stderrText.contains("not listening"))
            #expect(clock.now - started < .seconds(30))
        }
    }

    @Test func stoppingXfnStopsItsSandboxedFunctions() async throws {
        try await RegistryProcess.with { registry in
            try await RenderFixtures.pushRelayImage(to: registry, repository: "test/function-waiting", env: ["NEVER_LISTEN=1"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", [:], "\(registry.host)/test/function-waiting:v1"),
            ]), to: "functions.yaml")
            let environment = ProcessInfo.processInfo.environment.merging(xfn.environment) { $1 }
            let render = try FunctionProcess(
                function: "xfn", executable: XfnProcess.binary,
                arguments: ["render", "--verbose", "--timeout", "60s", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                            RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions],
                port: 0, forwardStderr: false, environment: environment, workingDirectory: nil)
            // Wait until the function runs inside its sandbox, then end xfn as Ctrl-C or a CI timeout would.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while !render.recentStderr.contains("not listening"), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(render.recentStderr.contains("xfn: function function-compose: not listening"))
            #expect(!RenderFixtures.processes(mentioning: xfn.cacheDirectory).isEmpty)
            await render.stop()
            let gone = clock.now + .seconds(10)
            while !RenderFixtures.processes(mentioning: xfn.cacheDirectory).isEmpty, clock.now < gone {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(RenderFixtures.processes(mentioning: xfn.cacheDirectory).isEmpty)
        }
    }

    /// Ctrl-C (SIGINT) or a CI runner's SIGTERM: xfn stops its functions, then exits 128 + the signal.
    @Test(arguments: [SIGINT, SIGTERM]) func signalledXfnStopsItsFunctionsFirst(signal: Int32) async throws {
        try await RegistryProcess.with { registry in
            try await RenderFixtures.pushRelayImage(to: registry, repository: "test/function-interrupted", env: ["NEVER_LISTEN=1"])
            let xfn = try XfnProcess()
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", [:], "\(registry.host)/test/function-interrupted:v1"),
            ]), to: "functions.yaml")
            let render = try InterruptibleXfn(xfn, [
                "render", "--verbose", "--timeout", "60s", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions,
            ])
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(60)
            while !render.stderr.contains("not listening"), render.isRunning, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(render.stderr.contains("xfn: function function-compose: not listening"))
            #expect(!RenderFixtures.processes(mentioning: xfn.cacheDirectory).isEmpty)
            render.send(signal)
            let status = try await render.exitStatus(within: .seconds(30))
            #expect(status == 128 + signal, "\(render.stderr)")
            #expect(render.stderr.contains("xfn: interrupted"))
            // Stopped by xfn before it exited, not left to bubblewrap noticing its parent is gone.
            #expect(RenderFixtures.processes(mentioning: xfn.cacheDirectory).isEmpty)
        }
    }

    @Test func badTimeoutIsAUsageError() async throws {
        let xfn = try XfnProcess()
        let result = try await xfn.run(["render", "--timeout", "soon", "xr.yaml", "comp.yaml", "fns.yaml"])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("--timeout takes a duration"))
    }
}
