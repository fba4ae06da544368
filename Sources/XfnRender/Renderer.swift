import XfnCore
import XfnFunctions

/// The whole render: checks the inputs fit together, runs the pipeline, and builds the output.
public enum Renderer {
    public static func render(inputs: RenderInputs, options: RenderOptions, runner: any FunctionRunner) async throws -> [Value] {
        try check(inputs)
        let outcome = try await Pipeline(inputs: inputs, runner: runner).run()
        return RenderOutput.documents(inputs: inputs, outcome: outcome, options: options)
    }

    /// The checks crossplane render makes before starting any function.
    public static func check(_ inputs: RenderInputs) throws {
        let xr = inputs.compositeResource, composition = inputs.composition
        guard composition.apiVersion == "apiextensions.crossplane.io/v1", composition.kind == "Composition" else {
            throw RenderError(.input, "the composition is a \(composition.apiVersion) \(composition.kind), not an apiextensions.crossplane.io/v1 Composition")
        }
        let typeRef = composition.value(at: ["spec", "compositeTypeRef"])
        let wantKind = typeRef?["kind"]?.stringValue ?? "", wantVersion = typeRef?["apiVersion"]?.stringValue ?? ""
        guard xr.kind == wantKind else {
            throw RenderError(.input, "composition's compositeTypeRef.kind (\(wantKind)) does not match XR's kind (\(xr.kind))")
        }
        guard xr.apiVersion == wantVersion else {
            throw RenderError(.input, "composition's compositeTypeRef.apiVersion (\(wantVersion)) does not match XR's apiVersion (\(xr.apiVersion))")
        }
        let selector = xr.value(at: ["spec", "crossplane", "compositionSelector", "matchLabels"])?.objectValue
            ?? xr.value(at: ["spec", "compositionSelector", "matchLabels"])?.objectValue
        if let selector {
            let labels = composition.labels
            for (key, value) in selector where labels[key] != value.stringValue {
                throw RenderError(.input, "composition \(composition.name) doesn't match the XR's composition selector: label \(key) is \(labels[key].map { "\"\($0)\"" } ?? "missing"), the selector wants \"\(value.stringValue ?? "")\"")
            }
        }
        let mode = composition.value(at: ["spec", "mode"])?.stringValue ?? "Pipeline"
        guard mode == "Pipeline" else {
            throw RenderError(.input, "render only supports Composition Function pipelines: composition \(composition.name) must use spec.mode: Pipeline")
        }
    }
}
