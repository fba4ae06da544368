import Foundation
import XfnCore
import XfnFunctions

/// Starts the functions of one render, owns their processes, and stops them when the scope ends,
/// whether it returned, threw, or was cancelled. Each function is started once and serves every
/// call of the run.
public actor RunningFunctions {
    private var processes: [FunctionProcess] = []
    private var containers: [ContainerFunction] = []

    /// How long a failed call waits for its function's exit to show, before the error is reported as it is.
    static let exitGrace: Duration = .seconds(1)

    private init() {}

    /// Starts every function in parallel, connects to each, runs `body`, then stops them.
    public static func withRunningFunctions<Result: Sendable>(
        _ functions: [Value],
        configuration: RuntimeConfiguration,
        body: (any FunctionRunner) async throws -> Result
    ) async throws -> Result {
        let owner = RunningFunctions()
        do {
            let targets = try await owner.startAll(functions, configuration: configuration)
            let result: Result
            do {
                result = try await FunctionClient.withClients(targets, timeout: configuration.timeout) { clients in
                    try await body(GRPCFunctionRunner(clients: clients))
                }
            } catch {
                throw await owner.explaining(error)
            }
            await owner.stopAll()
            return result
        } catch {
            await owner.stopAll()
            throw error
        }
    }

    private func startAll(_ functions: [Value], configuration: RuntimeConfiguration) async throws -> [(name: String, target: FunctionTarget)] {
        let kinds = try functions.map { try configuration.override ?? configuration.functionRuntimes[$0.name] ?? FunctionRuntimeKind.requested(by: $0) }
        if !configuration.noSandbox, kinds.contains(.process) { try await Sandbox.check() }
        return try await withThrowingTaskGroup(of: (String, FunctionTarget).self) { group in
            for (function, kind) in zip(functions, kinds) {
                group.addTask { (function.name, try await self.start(function, kind: kind, configuration: configuration)) }
            }
            var targets: [(name: String, target: FunctionTarget)] = []
            for try await (name, target) in group { targets.append((name, target)) }
            return targets
        }
    }

    private func start(_ function: Value, kind: FunctionRuntimeKind, configuration: RuntimeConfiguration) async throws -> FunctionTarget {
        let name = function.name
        switch kind {
        case .development:
            let text = function.annotations[FunctionRuntimeKind.developmentTargetAnnotation] ?? FunctionRuntimeKind.defaultDevelopmentTarget
            guard let target = FunctionTarget(parsing: text) else {
                throw RenderError(.input, "function \"\(name)\": cannot parse development target \"\(text)\"",
                                  hint: "use host:port, dns:///host:port or unix:/path")
            }
            return target
        case .docker:
            let container = try ContainerFunction(function: function, environment: configuration.environment, verbose: configuration.verbose)
            // Registered before it starts, so a half-started container is cleaned up too.
            containers.append(container)
            return try await container.start(timeout: configuration.timeout)
        case .process:
            guard let images = configuration.images else {
                throw RenderError(.runtime, "function \"\(name)\": no image source to run it as a process")
            }
            let package = function.annotations[FunctionRuntimeKind.dockerImageAnnotation]
                ?? function.value(at: ["spec", "package"])?.stringValue ?? ""
            guard !package.isEmpty else {
                throw RenderError(.input, "function \"\(name)\" has no spec.package")
            }
            let image = try await images.image(for: package, function: name)
            let port = try LoopbackPort.free()
            let launch = try Sandbox.command(for: image, function: name, port: port, sandboxed: !configuration.noSandbox)
            let process = try FunctionProcess(function: name, executable: launch.executable, arguments: launch.arguments,
                                              port: port, forwardStderr: configuration.verbose,
                                              environment: launch.environment, workingDirectory: launch.workingDirectory)
            processes.append(process)
            try await process.waitUntilListening(timeout: configuration.timeout)
            return .host("127.0.0.1", port: port)
        }
    }

    /// A call that failed because its function died says so, with what the function last printed;
    /// a bare connection error would leave the user guessing.
    private func explaining(_ error: any Error) async -> any Error {
        if error is CancellationError { return error }
        let running = processes, started = containers
        let notices = await withTaskGroup(of: String?.self) { group in
            for process in running { group.addTask { await process.exitNotice(grace: Self.exitGrace) } }
            for container in started { group.addTask { await container.exitNotice(grace: Self.exitGrace) } }
            var found: [String] = []
            for await notice in group { if let notice { found.append(notice) } }
            return found.sorted()
        }
        guard !notices.isEmpty else { return error }
        let message = (error as? any XfnError)?.message ?? "\(error)"
        return RenderError(.runtime, ([message] + notices).joined(separator: "\n"),
                           hint: "the function stopped while xfn was calling it; its output above usually says why")
    }

    private func stopAll() async {
        let running = processes, started = containers
        processes = []
        containers = []
        await withTaskGroup(of: Void.self) { group in
            for process in running { group.addTask { await process.stop() } }
            for container in started { group.addTask { await container.cleanUp() } }
        }
    }
}
