import Foundation
import Testing
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// The docker runtime (`xfn render --runtime docker`): the container engine's command line runs each
/// function image. Podman stands in for Docker, configured per test by `PodmanSandbox`; the image is
/// the static relay of the process-runtime tests, forwarding to a Python SDK function on the host.
@Suite(.serialized) struct DockerRuntimeTests {
    // MARK: - Annotations

    private func function(_ annotations: [String: String], package: String = "xpkg.example.org/f:v1") throws -> Value {
        let body: Value = [
            "apiVersion": "pkg.crossplane.io/v1", "kind": "Function",
            "metadata": ["name": "function-x", "annotations": .object(ValueObject(annotations.map { ($0.key, Value.string($0.value)) }))],
            "spec": ["package": .string(package)],
        ]
        return body
    }

    @Test func annotationsAreReadLikeCrossplane() throws {
        let plain = try ContainerSettings(function: function([:]))
        #expect(plain.image == "xpkg.example.org/f:v1")
        #expect(plain.cleanup == .remove)
        #expect(plain.pullPolicy == .ifNotPresent)
        #expect(plain.pullPolicy.flag == "missing")
        #expect(plain.name == nil)
        #expect(plain.environment.isEmpty)
        #expect(plain.publishFlag == "127.0.0.1::9443")
        #expect(plain.dialHost == "127.0.0.1")

        let set = try ContainerSettings(function: function([
            "render.crossplane.io/runtime-docker-image": "registry.example/other:v2",
            "render.crossplane.io/runtime-docker-cleanup": "Orphan",
            "render.crossplane.io/runtime-docker-pull-policy": "Never",
            "render.crossplane.io/runtime-docker-name": "fn-cache",
            "render.crossplane.io/runtime-docker-env": "A=1,broken,B=x=y,",
            "render.crossplane.io/runtime-docker-publish-address": "::1",
            "render.crossplane.io/runtime-docker-target": "docker-host.example",
        ]))
        #expect(set.image == "registry.example/other:v2")
        #expect(set.cleanup == .orphan)
        #expect(set.pullPolicy.flag == "never")
        #expect(set.name == "fn-cache")
        #expect(set.environment == ["A=1", "B=x=y"])
        #expect(set.publishFlag == "[::1]::9443")
        #expect(set.dialHost == "docker-host.example")

        let wildcard = try ContainerSettings(function: function(["render.crossplane.io/runtime-docker-publish-address": "0.0.0.0"]))
        #expect(wildcard.dialHost == "127.0.0.1")
        let six = try #require(ContainerFunction.binding("[::]:49153"))
        #expect(six.host == "::" && six.port == 49153)
        let four = try #require(ContainerFunction.binding("127.0.0.1:32768"))
        #expect(four.host == "127.0.0.1" && four.port == 32768)
        #expect(ContainerFunction.binding("garbage") == nil)
    }

    @Test func unknownAnnotationValuesNameTheFunctionAndTheChoices() throws {
        let cleanup = #expect(throws: RenderError.self) {
            try ContainerSettings(function: function(["render.crossplane.io/runtime-docker-cleanup": "Delete"]))
        }
        #expect(cleanup?.message == "function \"function-x\": unknown render.crossplane.io/runtime-docker-cleanup annotation \"Delete\"")
        #expect(cleanup?.hint?.contains("Remove, Stop, Orphan") == true)
        let pull = #expect(throws: RenderError.self) {
            try ContainerSettings(function: function(["render.crossplane.io/runtime-docker-pull-policy": "Sometimes"]))
        }
        #expect(pull?.message.contains("runtime-docker-pull-policy annotation \"Sometimes\"") == true)
        #expect(pull?.hint?.contains("IfNotPresent, Always, Never") == true)
        #expect(throws: RenderError.self) { try ContainerSettings(function: function([:], package: "")) }
    }

    @Test func commandLinesInMessagesHideEnvironmentValues() {
        let shown = ContainerCLI.redacted(["run", "-e", "TOKEN=s3cret", "--env", "B=2", "image", "--insecure"])
        #expect(shown == ["run", "-e", "TOKEN=…", "--env", "B=…", "image", "--insecure"])
    }

    // MARK: - Engine problems (no engine needed)

    private func composeArguments(_ functions: String, _ extra: [String] = []) -> [String] {
        ["render", "--runtime", "docker", "-r", "-o", RenderFixtures.caseFile("compose", "observed.yaml")] + extra
            + [RenderFixtures.caseFile("compose", "xr.yaml"), RenderFixtures.caseFile("compose", "composition.yaml"), functions]
    }

    @Test func missingCommandLineIsAClearError() async throws {
        var xfn = try XfnProcess()
        xfn.environment["XFN_CONTAINER_CLI"] = "/nonexistent/podman"
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], "xpkg.example.org/f:v1")]),
                                           to: "functions.yaml")
        let result = try await xfn.run(composeArguments(functions))
        #expect(result.status == 4)
        #expect(result.stdoutText.isEmpty)
        #expect(result.stderrText.contains("xfn: error: the container command line \"/nonexistent/podman\" named by XFN_CONTAINER_CLI was not found"))
        #expect(result.stderrText.contains("hint: set XFN_CONTAINER_CLI to docker, podman"))
    }

    @Test func engineErrorsQuoteTheCommandLineWithoutSecrets() async throws {
        var xfn = try XfnProcess()
        // An engine whose daemon is down, as Docker's client says it.
        let engine = try xfn.home.write("""
            #!/bin/sh
            echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
            exit 1
            """, to: "docker")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: engine)
        xfn.environment["XFN_CONTAINER_CLI"] = engine
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([
            ("function-compose", ["render.crossplane.io/runtime-docker-env": "TOKEN=s3cret-value"], "xpkg.example.org/f:v1"),
        ]), to: "functions.yaml")
        let result = try await xfn.run(composeArguments(functions))
        #expect(result.status == 4)
        #expect(result.stderrText.contains("xfn: error: function \"function-compose\": cannot run image xpkg.example.org/f:v1: `docker run -d"))
        #expect(result.stderrText.contains("-e TOKEN=… xpkg.example.org/f:v1 --insecure` exited with status 1"))
        #expect(result.stderrText.contains("Cannot connect to the Docker daemon"))
        #expect(result.stderrText.contains("XFN_CONTAINER_CLI=podman"))
        #expect(!result.stderrText.contains("s3cret-value"))
    }

    @Test func secondInterruptExitsWithoutWaitingForCleanup() async throws {
        var xfn = try XfnProcess()
        // An engine whose container never serves and whose `stop` hangs; it leaves marks in its home.
        let engine = try xfn.home.write("""
            #!/bin/sh
            case "$1" in
              run) echo 0123456789abcdef ;;
              port) touch "$HOME/waiting"; echo 127.0.0.1:1 ;;
              inspect) echo true ;;
              stop) echo $$ > "$HOME/stopping"; exec sleep 30 ;;
            esac
            """, to: "docker")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: engine)
        xfn.environment["XFN_CONTAINER_CLI"] = engine
        let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], "xpkg.example.org/f:v1")]),
                                           to: "functions.yaml")
        let render = try InterruptibleXfn(xfn, composeArguments(functions, ["--timeout", "60s"]))
        func appears(_ mark: String) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(20)
            while !FileManager.default.fileExists(atPath: xfn.home.appending(mark)), render.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            return FileManager.default.fileExists(atPath: xfn.home.appending(mark))
        }
        #expect(try await appears("waiting"), "\(render.stderr)")
        render.send(SIGINT)
        // The first Ctrl-C starts the cleanup, which hangs in `docker stop`; the second ends xfn at once.
        #expect(try await appears("stopping"), "\(render.stderr)")
        #expect(render.isRunning)
        render.send(SIGINT)
        let status = try await render.exitStatus(within: .seconds(5))
        #expect(status == 130, "\(render.stderr)")
        let stopping = try String(contentsOfFile: xfn.home.appending("stopping"), encoding: .utf8)
        if let pid = Int32(stopping.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
    }

    // MARK: - Podman end to end

    /// A registry holding the relay image (`env` in its config), a Podman sandbox trusting it, and an
    /// xfn environment pointing at both.
    private func withRelay<T>(repository: String = "test/function-relay", env: [String],
                              _ body: (RegistryProcess, PodmanSandbox, XfnProcess, String) async throws -> T) async throws -> T {
        _ = try PodmanSandbox.podmanPath()
        return try await RegistryProcess.with { registry in
            try await RenderFixtures.pushRelayImage(to: registry, repository: repository, env: env)
            return try await PodmanSandbox.with(insecureRegistry: registry.host) { podman in
                var xfn = try XfnProcess()
                xfn.environment.merge(podman.environment) { $1 }
                // XfnProcess points DOCKER_CONFIG at its home; Podman insists the file then exists.
                _ = try xfn.home.subdirectory(".docker")
                _ = try xfn.home.write(#"{"auths":{}}"#, to: ".docker/config.json")
                return try await body(registry, podman, xfn, "\(registry.host)/\(repository):v1")
            }
        }
    }

    /// The compose.py peer on all interfaces, and the address containers reach it at.
    private func startReachablePeer() async throws -> (FunctionProcess, String) {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py", host: "0.0.0.0")
        return (peer, "\(try PodmanSandbox.hostAddress()):\(port)")
    }

    private var expected: String {
        get throws { try String(contentsOfFile: RenderFixtures.caseFile("compose", "expected.yaml"), encoding: .utf8) }
    }

    @Test func renderMatchesTheProcessRuntimeAndRemovesTheContainer() async throws {
        let (peer, upstream) = try await startReachablePeer()
        defer { Task { await peer.stop() } }
        try await withRelay(env: ["UPSTREAM=\(upstream)"]) { _, podman, xfn, image in
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], image)]), to: "functions.yaml")
            let result = try await xfn.run(composeArguments(functions, ["--verbose"]))
            #expect(result.status == 0, "\(result.stderrText)")
            // The same stream the process runtime test expects from the same function.
            #expect(result.stdoutText == (try expected))
            // --verbose forwards the container's output before it is removed.
            #expect(result.stderrText.contains("xfn: function function-compose: listening on 0.0.0.0:9443, relaying to \(upstream)"))
            #expect(try await podman.containers().isEmpty)
        }
        await peer.stop()
    }

    @Test func stopKeepsAStoppedContainerAndOrphanARunningOne() async throws {
        let (peer, upstream) = try await startReachablePeer()
        defer { Task { await peer.stop() } }
        try await withRelay(env: ["UPSTREAM=\(upstream)"]) { _, podman, xfn, image in
            let stop = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", ["render.crossplane.io/runtime-docker-cleanup": "Stop"], image),
            ]), to: "stop.yaml")
            let stopped = try await xfn.run(composeArguments(stop))
            #expect(stopped.status == 0, "\(stopped.stderrText)")
            #expect(stopped.stdoutText == (try expected))
            let afterStop = try await podman.containers()
            #expect(afterStop.count == 1)
            #expect(afterStop.first?.state == "exited")

            let orphan = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", ["render.crossplane.io/runtime-docker-cleanup": "Orphan"], image),
            ]), to: "orphan.yaml")
            let orphaned = try await xfn.run(composeArguments(orphan))
            #expect(orphaned.status == 0, "\(orphaned.stderrText)")
            let afterOrphan = try await podman.containers()
            #expect(afterOrphan.count == 2)
            let running = afterOrphan.filter { $0.state == "running" }
            #expect(running.count == 1)
            #expect(!running.contains { $0.id == afterStop.first?.id })
            // The sandbox removes both, the running one included.
        }
        await peer.stop()
    }

    @Test func namedContainerIsReusedAndRestarted() async throws {
        let (peer, upstream) = try await startReachablePeer()
        defer { Task { await peer.stop() } }
        try await withRelay(env: ["UPSTREAM=\(upstream)"]) { _, podman, xfn, image in
            let keep = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", ["render.crossplane.io/runtime-docker-name": "xfn-test-compose",
                                      "render.crossplane.io/runtime-docker-cleanup": "Orphan"], image),
            ]), to: "keep.yaml")
            let first = try await xfn.run(composeArguments(keep))
            #expect(first.status == 0, "\(first.stderrText)")
            let created = try await podman.containers()
            #expect(created.map(\.name) == ["xfn-test-compose"])
            #expect(created.first?.state == "running")

            let second = try await xfn.run(composeArguments(keep, ["--verbose"]))
            #expect(second.status == 0, "\(second.stderrText)")
            #expect(second.stdoutText == (try expected))
            #expect(second.stderrText.contains("reusing the running container xfn-test-compose"))
            #expect(try await podman.containers() == created)

            // Stopped by hand: the next render starts it again, and Remove then removes it.
            #expect(try await podman.podman(["stop", "-t", "0", "xfn-test-compose"]).succeeded)
            let remove = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", ["render.crossplane.io/runtime-docker-name": "xfn-test-compose"], image),
            ]), to: "remove.yaml")
            let third = try await xfn.run(composeArguments(remove, ["--verbose"]))
            #expect(third.status == 0, "\(third.stderrText)")
            #expect(third.stdoutText == (try expected))
            #expect(third.stderrText.contains("starting the existing container xfn-test-compose"))
            #expect(try await podman.containers().isEmpty)
        }
        await peer.stop()
    }

    @Test func pullPoliciesDecideWhetherTheRegistryIsAsked() async throws {
        let (peer, upstream) = try await startReachablePeer()
        defer { Task { await peer.stop() } }
        try await withRelay(env: ["UPSTREAM=\(upstream)"]) { registry, podman, xfn, image in
            func manifestRequests() -> Int { registry.log.components(separatedBy: "/v2/test/function-relay/manifests/").count - 1 }
            func functions(_ policy: String?, image: String) throws -> String {
                try xfn.home.write(RenderFixtures.functionsYAML([
                    ("function-compose", policy.map { ["render.crossplane.io/runtime-docker-pull-policy": $0] } ?? [:], image),
                ]), to: "functions.yaml")
            }
            // The push left its own requests in the log; only later ones count.
            let pushed = manifestRequests()
            // Absent and Never: nothing is pulled and the error says why.
            let never = try await xfn.run(composeArguments(try functions("Never", image: image)))
            #expect(never.status == 4)
            #expect(never.stderrText.contains("xfn: error: function \"function-compose\": cannot run image \(image)"))
            #expect(never.stderrText.contains("--pull never"))
            #expect(never.stderrText.contains("hint: pull the image first"))
            #expect(manifestRequests() == pushed)
            #expect(try await podman.containers().isEmpty)

            // IfNotPresent (the default) pulls once; then it and Never use the local image.
            let first = try await xfn.run(composeArguments(try functions(nil, image: image)))
            #expect(first.status == 0, "\(first.stderrText)")
            let afterPull = manifestRequests()
            #expect(afterPull > pushed)
            for policy in ["IfNotPresent", "Never"] {
                let again = try await xfn.run(composeArguments(try functions(policy, image: image)))
                #expect(again.status == 0, "\(again.stderrText)")
                #expect(again.stdoutText == (try expected))
            }
            #expect(manifestRequests() == afterPull)

            // Always asks the registry again.
            let always = try await xfn.run(composeArguments(try functions("Always", image: image)))
            #expect(always.status == 0, "\(always.stderrText)")
            #expect(manifestRequests() > afterPull)
            #expect(try await podman.containers().isEmpty)
        }
        await peer.stop()
    }

    @Test func environmentAnnotationReachesTheContainer() async throws {
        let (peer, upstream) = try await startReachablePeer()
        defer { Task { await peer.stop() } }
        // The image has no UPSTREAM; the relay only works when the annotation delivers it.
        try await withRelay(env: []) { _, podman, xfn, image in
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([
                ("function-compose", ["render.crossplane.io/runtime-docker-env": "UPSTREAM=\(upstream),NOT-A-PAIR,MODE=test",
                                      "render.crossplane.io/runtime-docker-cleanup": "Stop"], image),
            ]), to: "functions.yaml")
            let result = try await xfn.run(composeArguments(functions))
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText == (try expected))
            let containers = try await podman.containers()
            #expect(containers.count == 1)
            let environment = try await podman.environment(of: try #require(containers.first).id)
            #expect(environment.contains("UPSTREAM=\(upstream)"))
            #expect(environment.contains("MODE=test"))
            #expect(!environment.contains { $0.hasPrefix("NOT-A-PAIR") })
        }
        await peer.stop()
    }

    @Test func containerThatExitsAtOnceReportsItsOutput() async throws {
        try await withRelay(env: []) { _, podman, xfn, image in
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], image)]), to: "functions.yaml")
            let clock = ContinuousClock()
            let started = clock.now
            let result = try await xfn.run(composeArguments(functions))
            #expect(result.status == 4)
            #expect(result.stdoutText.isEmpty)
            #expect(result.stderrText.contains("xfn: error: function \"function-compose\": container "))
            #expect(result.stderrText.contains("exited with status 1 before"))
            #expect(result.stderrText.contains("UPSTREAM is not set"))
            // Noticed when it exits, not when the minute of --timeout is over.
            #expect(clock.now - started < .seconds(45))
            #expect(try await podman.containers().isEmpty)
        }
    }

    @Test func containerThatDiesMidRenderReportsItsOutput() async throws {
        _ = try PodmanSandbox.podmanPath()
        try await RegistryProcess.with { registry in
            // The test function itself, which serves on 0.0.0.0:9443 by default and exits when the input says so.
            let images = try await TestFunctionTests.pushImage(to: registry, repositories: ["test/function-crash"])
            try await PodmanSandbox.with(insecureRegistry: registry.host) { podman in
                var xfn = try XfnProcess()
                xfn.environment.merge(podman.environment) { $1 }
                _ = try xfn.home.subdirectory(".docker")
                _ = try xfn.home.write(#"{"auths":{}}"#, to: ".docker/config.json")
                let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], images[0])]), to: "functions.yaml")
                let composition = try xfn.home.write(TestFunctionTests.exitingComposition, to: "composition.yaml")
                let result = try await xfn.run(["render", "--runtime", "docker", "--timeout", "120s",
                                                TestFunctionTests.caseFile("xr.yaml"), composition, functions], timeout: .seconds(300))
                #expect(result.status == 4, "\(result.stderrText)")
                #expect(result.stderrText.contains("exited with status 7 before the render finished; its last output:"), "\(result.stderrText)")
                #expect(result.stderrText.contains("out of cheese"), "\(result.stderrText)")
                #expect(try await podman.containers().isEmpty)
            }
        }
    }

    @Test func containerThatNeverServesTimesOutAndIsRemoved() async throws {
        try await withRelay(env: ["NEVER_LISTEN=1"]) { _, podman, xfn, image in
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], image)]), to: "functions.yaml")
            let result = try await xfn.run(composeArguments(functions, ["--timeout", "5s"]))
            #expect(result.status == 4)
            #expect(result.stderrText.contains("xfn: error: function \"function-compose\" did not serve gRPC on 127.0.0.1:"))
            #expect(result.stderrText.contains("within 5s"))
            #expect(result.stderrText.contains("not listening"))
            #expect(try await podman.containers().isEmpty)
        }
    }

    @Test func cancellingTheRenderRemovesTheContainer() async throws {
        try await withRelay(env: ["NEVER_LISTEN=1"]) { _, podman, _, image in
            let environment = ProcessInfo.processInfo.environment.merging(podman.environment) { $1 }
            let configuration = RuntimeConfiguration(override: .docker, timeout: .seconds(60), environment: Environment(environment))
            let fn = try function([:], package: image)
            let render = Task {
                try await RunningFunctions.withRunningFunctions([fn], configuration: configuration) { _ in "never reached" }
            }
            // Cancel while xfn waits for the container to serve, as a Ctrl-C handler or a parent task would.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while try await podman.containers().filter({ $0.state == "running" }).isEmpty, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await podman.containers().count == 1)
            render.cancel()
            switch await render.result {
            case .success: Issue.record("a cancelled render returned")
            case .failure(let error): #expect(error is CancellationError, "\(error)")
            }
            #expect(try await podman.containers().isEmpty)
        }
    }

    @Test func interruptingXfnRemovesTheContainerAndExits130() async throws {
        try await withRelay(env: ["NEVER_LISTEN=1"]) { _, podman, xfn, image in
            let functions = try xfn.home.write(RenderFixtures.functionsYAML([("function-compose", [:], image)]), to: "functions.yaml")
            let render = try InterruptibleXfn(xfn, composeArguments(functions, ["--timeout", "60s"]))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            while try await podman.containers().filter({ $0.state == "running" }).isEmpty, render.isRunning, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await podman.containers().count == 1, "\(render.stderr)")
            // Ctrl-C while xfn waits for the function to serve.
            render.send(SIGINT)
            let status = try await render.exitStatus(within: .seconds(30))
            #expect(status == 130, "\(render.stderr)")
            #expect(render.stderr.contains("xfn: interrupted"))
            #expect(try await podman.containers().isEmpty)
        }
    }
}
