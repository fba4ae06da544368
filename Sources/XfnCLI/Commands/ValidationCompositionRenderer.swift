import XfnCore
import XfnRender
import XfnValidate

/// Renders the Compositions of a validation run through the render pipeline: every Function they
/// call is started once, the renders run side by side, and each outcome is kept for its job.
struct ValidationCompositionRenderer: CompositionRenderer {
    let context: CommandContext
    let options: ValidateRenderOptions
    /// Runtimes a repository's `.xfn.yaml` chooses per Function.
    let projectRuntimes: [String: ProjectConfig.Runtime]

    /// Renders at once at most this many; the functions serve them concurrently.
    private static let parallelRenders = 8

    func render(_ jobs: [RenderJob], functions: [Value]) async throws -> [RenderJobOutcome] {
        var byName: [String: Value] = [:]
        var order: [String] = []
        for function in functions where !function.name.isEmpty && byName[function.name] == nil {
            byName[function.name] = annotated(function)
            order.append(function.name)
        }

        var outcomes = [RenderJobOutcome?](repeating: nil, count: jobs.count)
        var runnable: [Int] = []
        var needed: Set<String> = []
        for (index, job) in jobs.enumerated() {
            let calls = Self.functionNames(of: job.composition)
            if let missing = calls.first(where: { byName[$0] == nil }) {
                // Without any Function, rendering was not asked for; with some, a missing one is worth saying.
                outcomes[index] = .skipped(notice: byName.isEmpty ? nil
                    : "Composition \(job.composition.name) is not rendered: Function \"\(missing)\" is not among the Functions "
                        + "(name its file with --functions or in .xfn.yaml's functions)")
                continue
            }
            runnable.append(index)
            needed.formUnion(calls)
        }
        guard !runnable.isEmpty else { return outcomes.map { $0! } }

        let timeout = try RenderOptionsGroup.parseDuration(options.functionTimeout)
        var configuration = RuntimeConfiguration(override: options.runtimeOverride, timeout: timeout,
                                                 verbose: context.global.verbose, noSandbox: options.noSandbox,
                                                 images: CachedFunctionImages(context: context))
        for (name, runtime) in projectRuntimes {
            if let kind = FunctionRuntimeKind(rawValue: runtime.kind.lowercased()) { configuration.functionRuntimes[name] = kind }
        }
        let started = order.filter(needed.contains).map { byName[$0]! }
        let rendered = try await RunningFunctions.withRunningFunctions(started, configuration: configuration) { runner in
            try await Self.renderAll(runnable.map { ($0, jobs[$0]) }, functions: started, runner: runner)
        }
        for (index, outcome) in rendered { outcomes[index] = outcome }
        return outcomes.map { $0! }
    }

    private static func renderAll(_ jobs: [(Int, RenderJob)], functions: [Value],
                                  runner: any FunctionRunner) async throws -> [(Int, RenderJobOutcome)] {
        try await withThrowingTaskGroup(of: (Int, RenderJobOutcome).self) { group in
            var pending = jobs[...]
            var results: [(Int, RenderJobOutcome)] = []
            func startNext() {
                guard let (index, job) = pending.popFirst() else { return }
                group.addTask { (index, await renderOne(job, functions: functions, runner: runner)) }
            }
            for _ in 0..<parallelRenders { startNext() }
            while let result = try await group.next() {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    private static func renderOne(_ job: RenderJob, functions: [Value], runner: any FunctionRunner) async -> RenderJobOutcome {
        let inputs = RenderInputs(compositeResource: job.compositeResource, composition: job.composition, functions: functions)
        let subject = "cannot render Composition \(job.composition.name) with \(job.compositeResourceFile)"
        do {
            return .rendered(try await Renderer.render(inputs: inputs, options: RenderOptions(), runner: runner))
        } catch let error as RenderError {
            let hint = error.hint.map { " (\($0))" } ?? ""
            return .failed(message: "\(subject): \(error.message)\(hint)", functionFailed: error.exitCode == .function)
        } catch let error as any XfnError {
            return .failed(message: "\(subject): \(error.message)", functionFailed: true)
        } catch {
            return .failed(message: "\(subject): \(error)", functionFailed: true)
        }
    }

    /// The Functions a Composition's pipeline calls, in step order.
    static func functionNames(of composition: Value) -> [String] {
        var names: [String] = []
        for step in composition["spec"]?["pipeline"]?.arrayValue ?? [] {
            if let name = step["functionRef"]?["name"]?.stringValue, !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// A Development runtime's address from `.xfn.yaml` becomes the annotation render reads.
    private func annotated(_ function: Value) -> Value {
        guard let target = projectRuntimes[function.name]?.target else { return function }
        return RenderRun.annotate(function, with: ["render.crossplane.io/runtime-development-target": target])
    }
}
