import Foundation
import XfnCore
import XfnOCI
import XfnPackage
import XfnRegistry
import XfnRender
import XfnSchema
import XfnStore

/// The work behind `xfn render` and `xfn composition render`.
struct RenderRun {
    let global: GlobalOptions
    let credentials: CredentialOptions
    let options: RenderOptionsGroup

    func run() async throws {
        let timeout = try RenderOptionsGroup.parseDuration(options.timeout)
        var inputs = try await loadInputs()
        if let xrd = options.xrd {
            inputs.compositeResource = try await XRDDefaults.apply(xrdPath: xrd, to: inputs.compositeResource)
        }
        let renderOptions = RenderOptions(includeFunctionResults: options.includeFunctionResults,
                                          includeContext: options.includeContext, includeFullXR: options.includeFullXr)
        try Renderer.check(inputs)

        let needsImages = options.runtime.map { FunctionRuntimeKind(rawValue: $0.lowercased()) == .process } ?? true
        var configuration = RuntimeConfiguration(
            override: options.runtime.flatMap { FunctionRuntimeKind(rawValue: $0.lowercased()) },
            timeout: timeout, verbose: global.verbose, noSandbox: options.noSandbox)
        if needsImages {
            let context = try CommandContext(global: global, credentials: credentials)
            await context.startVerboseLog()
            configuration.images = CachedFunctionImages(context: context)
        }
        let documents = try await RunningFunctions.withRunningFunctions(inputs.functions, configuration: configuration) { runner in
            try await Renderer.render(inputs: inputs, options: renderOptions, runner: runner)
        }
        Terminal.standardOutput.write(RenderOutput.yaml(documents))
    }

    private func loadInputs() async throws -> RenderInputs {
        let xr = try await RenderInputLoader.single(options.compositeResource, what: "composite resource")
        let composition = try await RenderInputLoader.single(options.composition, what: "composition")
        var functions = try await RenderInputLoader.functions(options.functions)
        let annotations = RenderOptionsGroup.map(options.functionAnnotations)
        if !annotations.isEmpty {
            functions = functions.map { Self.annotate($0, with: annotations) }
        }
        var inputs = RenderInputs(compositeResource: xr, composition: composition, functions: functions)
        if let observed = options.observedResources {
            inputs.observedResources = try await RenderInputLoader.stream(observed, what: "observed resources")
        }
        for path in options.requiredResources + options.extraResources {
            inputs.requiredResources += try await RenderInputLoader.stream(path, what: "required resources")
        }
        if let schemas = options.requiredSchemas {
            inputs.requiredSchemas = try await RenderInputLoader.schemas(schemas)
        }
        if let secrets = options.functionCredentials {
            inputs.functionCredentials = try await RenderInputLoader.stream(secrets, what: "function credentials")
        }
        inputs.context = try await RenderInputLoader.context(files: RenderOptionsGroup.map(options.contextFiles),
                                                             values: RenderOptionsGroup.map(options.contextValues))
        return inputs
    }

    static func annotate(_ function: Value, with annotations: [String: String]) -> Value {
        guard case .object(var object) = function else { return function }
        var metadata = object["metadata"]?.objectValue ?? ValueObject()
        var existing = metadata["annotations"]?.objectValue ?? ValueObject()
        for key in annotations.keys.sorted() { existing[key] = .string(annotations[key]!) }
        metadata["annotations"] = .object(existing)
        object["metadata"] = .object(metadata)
        return .object(object)
    }
}

/// `--xrd`: the defaults of the XRD's schema for the XR's version, applied to the XR before
/// rendering. Only the XRD's own schema is used; fields Crossplane adds when it turns an XRD into a
/// CRD (composition selection and update policy) get no defaults here. Nothing is validated.
enum XRDDefaults {
    static func apply(xrdPath: String, to xr: Value) async throws -> Value {
        let xrd = try await RenderInputLoader.single(xrdPath, what: "composite resource definition")
        guard xrd["kind"]?.stringValue == "CompositeResourceDefinition" else {
            throw RenderError(.input, "\(xrdPath): not a CompositeResourceDefinition")
        }
        let group = xrd.value(at: ["spec", "group"])?.stringValue ?? ""
        let kind = xrd.value(at: ["spec", "names", "kind"])?.stringValue ?? ""
        let apiVersion = xr["apiVersion"]?.stringValue ?? ""
        guard xr["kind"]?.stringValue == kind, apiVersion.hasPrefix(group + "/") else {
            throw RenderError(.input, "\(xrdPath): the XRD defines \(group) \(kind), not the XR's \(apiVersion) \(xr["kind"]?.stringValue ?? "")")
        }
        let version = String(apiVersion.dropFirst(group.count + 1))
        let entry = xrd.value(at: ["spec", "versions"])?.arrayValue?.first { $0["name"]?.stringValue == version }
        guard let schema = entry?.value(at: ["schema", "openAPIV3Schema"]) else {
            throw RenderError(.input, "\(xrdPath): the XRD has no schema for version \(version)")
        }
        return try CompiledSchema(openAPIV3Schema: schema, subject: "\(xrdPath) version \(version)").applyingDefaults(to: xr)
    }
}

/// Function images from the cache, pulled first when missing (or, offline, only from the cache).
struct CachedFunctionImages: FunctionImageSource {
    let registry: RegistryClient
    let store: ContentStore
    let platform: Platform
    let offline: Bool

    init(context: CommandContext) {
        registry = context.registry
        store = context.store
        platform = context.global.selectedPlatform
        offline = context.global.offline
    }

    func image(for package: String, function: String) async throws -> FunctionImage {
        let reference = try Reference(parsing: package)
        let puller = Puller(registry: registry, store: store)
        let pulled = try await puller.pull(reference, options: Puller.Options(platform: platform, offline: offline))
        let filesystem = try await FunctionFilesystem.unpack(manifestDigest: pulled.manifestDigest, manifest: pulled.manifest, store: store)
        return FunctionImage(rootfs: filesystem.rootfs, entrypoint: filesystem.entrypoint, command: filesystem.command,
                             environment: filesystem.environment, workingDirectory: filesystem.workingDirectory)
    }
}
