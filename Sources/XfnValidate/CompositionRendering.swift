import XfnCore

/// A Composition with one XR to render it for.
public struct RenderJob: Sendable {
    public var composition: Value
    public var compositionFile: String
    public var compositeResource: Value
    public var compositeResourceFile: String

    public init(composition: Value, compositionFile: String, compositeResource: Value, compositeResourceFile: String) {
        self.composition = composition
        self.compositionFile = compositionFile
        self.compositeResource = compositeResource
        self.compositeResourceFile = compositeResourceFile
    }
}

/// What one render gave: the output stream (the XR first, then the composed resources), or why
/// there is none.
public enum RenderJobOutcome: Sendable {
    case rendered([Value])
    /// `functionFailed`: a function could not be reached, failed, or returned a fatal result
    /// (exit 4), rather than the inputs not fitting together (exit 1).
    case failed(message: String, functionFailed: Bool)
    /// Not rendered, for a reason worth a warning (a Function it calls is not known); nil when
    /// there is nothing to say (no Functions were given at all).
    case skipped(notice: String?)
}

/// Runs Compositions through their functions. Validation defines what it needs; the command line
/// supplies it with the render pipeline, so this module does not depend on the functions stack.
public protocol CompositionRenderer: Sendable {
    /// Renders every job, starting each function once for all of them. Throws only when rendering
    /// cannot happen at all; a job that fails is an outcome.
    func render(_ jobs: [RenderJob], functions: [Value]) async throws -> [RenderJobOutcome]
}

/// How a validation run renders the Compositions among its inputs.
public struct RenderSettings: Sendable {
    public var renderer: any CompositionRenderer
    /// Example XR files for a Composition, by its name (`.xfn.yaml`'s `examples.compositions`);
    /// other Compositions take every XR of their composite type among the inputs.
    public var examples: [String: [String]]
    /// When no XR of a Composition's type is among the inputs, read `examples/` beside its file.
    public var examplesBesideCompositions: Bool
    /// Function documents beside those found among the inputs (`--functions`).
    public var functions: [Value]

    public init(renderer: any CompositionRenderer, examples: [String: [String]] = [:], examplesBesideCompositions: Bool = true,
                functions: [Value] = []) {
        self.renderer = renderer
        self.examples = examples
        self.examplesBesideCompositions = examplesBesideCompositions
        self.functions = functions
    }
}

/// Which Composition and XR a validated resource was rendered from.
public struct RenderOrigin: Sendable, Equatable {
    public var composition: String
    public var compositeResourceFile: String
    public var compositeResourceName: String
}
