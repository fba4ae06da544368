import XfnCore

/// Everything one render reads, already parsed. `RenderInputLoader` builds it from files; tests
/// build it directly.
public struct RenderInputs: Sendable {
    public var compositeResource: Value
    public var composition: Value
    public var functions: [Value]
    /// Composed resources as they exist in the cluster, keyed by their composition-resource-name annotation.
    public var observedResources: [Value]
    /// Resources functions may ask for (`--required-resources`, `--extra-resources`).
    public var requiredResources: [Value]
    /// OpenAPI v3 documents (as `kubectl get --raw /openapi/v3/<group-version>` prints) answering schema requirements.
    public var requiredSchemas: [Value]
    /// `v1 Secret` objects step credentials refer to.
    public var functionCredentials: [Value]
    /// The context the first step sees.
    public var context: ValueObject

    public init(compositeResource: Value, composition: Value, functions: [Value], observedResources: [Value] = [],
                requiredResources: [Value] = [], requiredSchemas: [Value] = [], functionCredentials: [Value] = [],
                context: ValueObject = ValueObject()) {
        self.compositeResource = compositeResource
        self.composition = composition
        self.functions = functions
        self.observedResources = observedResources
        self.requiredResources = requiredResources
        self.requiredSchemas = requiredSchemas
        self.functionCredentials = functionCredentials
        self.context = context
    }
}

/// What to put in the output stream besides the XR and its composed resources.
public struct RenderOptions: Sendable {
    /// `-r`: non-fatal results as `kind: Result` documents.
    public var includeFunctionResults: Bool
    /// `-c`: the final context as a `kind: Context` document.
    public var includeContext: Bool
    /// `-x`: the input XR's `metadata` and `spec` in the output XR.
    public var includeFullXR: Bool

    public init(includeFunctionResults: Bool = false, includeContext: Bool = false, includeFullXR: Bool = false) {
        self.includeFunctionResults = includeFunctionResults
        self.includeContext = includeContext
        self.includeFullXR = includeFullXR
    }
}
