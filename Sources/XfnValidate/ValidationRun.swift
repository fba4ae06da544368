import Foundation
import XfnCore
import XfnSchema
import XfnYAML

/// A whole validation: read every input in parallel, gather schemas (files, converted XRDs,
/// packages), compile the kinds the resources use, validate every resource in parallel.
public enum ValidationRun {
    public enum Mode: Sendable {
        /// `xfn validate`: inputs are sorted into schema sources, compositions and resources
        /// (design.md §6). Schema sources are validated only when their own schema is known, and
        /// pipeline inputs only when their function's input CRD is.
        case sorted
        /// crossplane's `beta validate`: every document of the resource inputs is a resource, and
        /// every pipeline input of an `apiextensions.crossplane.io/v1` Composition is one too.
        case crossplane
    }

    public struct Options: Sendable {
        public var mode: Mode
        public var cache: SchemaCache?
        public var packageProvider: (any PackageSchemaProvider)?
        /// An image whose CRDs (Composition, XRD, …) are added as schema sources.
        public var crossplaneImage: String?
        /// An image read only for Crossplane's own kinds that no other source describes.
        public var defaultCrossplaneImage: String?
        /// Package references whose schemas are used as if a document named them (`.xfn.yaml`'s schemas).
        public var packages: [String] = []
        /// Evaluates `x-kubernetes-validations`; without one, rules are not checked.
        public var ruleEvaluator: (any RuleEvaluator)?
        /// Accept repeated keys, the last winning, as crossplane's loader does.
        public var allowDuplicateKeys: Bool
        /// Render the Compositions among the inputs and validate what they render (sorted mode only).
        public var rendering: RenderSettings?
        public var standardInput: @Sendable () throws -> Data

        public init(mode: Mode = .sorted, cache: SchemaCache? = nil, packageProvider: (any PackageSchemaProvider)? = nil,
                    crossplaneImage: String? = nil, ruleEvaluator: (any RuleEvaluator)? = nil, allowDuplicateKeys: Bool = false,
                    standardInput: @escaping @Sendable () throws -> Data = { FileHandle.standardInput.readDataToEndOfFile() }) {
            self.mode = mode
            self.cache = cache
            self.packageProvider = packageProvider
            self.crossplaneImage = crossplaneImage
            self.ruleEvaluator = ruleEvaluator
            self.allowDuplicateKeys = allowDuplicateKeys
            self.standardInput = standardInput
        }
    }

    /// Validates `inputs` against the schemas in `schemaSources`, in `inputs` and in the packages
    /// they name.
    public static func run(schemaSources: [InputLocation], inputs: [InputLocation], options: Options) async throws -> ValidationReport {
        let settings = LoadedSource.Settings(cache: options.cache, allowDuplicateKeys: options.allowDuplicateKeys,
                                             standardInput: options.standardInput, skipsSchemaOnlyInputs: options.mode == .sorted)
        var files = await load(schemaSources.map { ($0, true) } + inputs.map { ($0, false) }, settings: settings)
        var notices = files.compactMap { $0.cacheNotice }
        if let cache = options.cache {
            do { try await BlockingIO.run { try cache.saveSourceIndex() } } catch {
                notices.append("cannot save the schema cache's source index: \(error)")
            }
        }

        // Sources given as such must be usable, as crossplane requires. Files are visited by
        // index here and below: a copy of each of thousands of loaded files costs a retain per field.
        for i in files.indices where files[i].isExtension {
            if let error = files[i].readError { throw error }
            if let (_, errors) = files[i].documentErrors.min(by: { $0.key < $1.key }), let error = errors.first { throw error }
            if let (_, message) = files[i].sourceErrors.min(by: { $0.key < $1.key }) {
                throw ValidateError("cannot use the schemas in \(files[i].location): \(message)")
            }
        }

        // xfn validate goes on without a package it cannot read (its kinds show as missing
        // schemas); crossplane stops, and so do its aliases.
        let tolerant = options.mode == .sorted
        // Files that supply schemas: all extensions; in sorted mode the inputs too.
        var packages = options.packages
        var configurationPackages: [String] = []
        var configurationMetas: [(name: String, meta: Value)] = []
        for i in files.indices where (files[i].isExtension || options.mode == .sorted) && files[i].index.contributes {
            let index = files[i].index
            packages += index.packages
            configurationPackages += index.configurationPackages
            for meta in index.configurationMetas {
                configurationMetas.append((name: meta["metadata"]?["name"]?.stringValue ?? files[i].location.description, meta: meta))
            }
        }
        var catalog = SchemaCatalog()
        let plan = try await PackagePlan.resolve(
            packages: packages, configurationPackages: configurationPackages, configurationMetas: configurationMetas,
            crossplaneImage: options.crossplaneImage, provider: options.packageProvider, tolerant: tolerant)
        notices += plan.failures
        for reference in plan.packages.sorted() {
            do {
                guard let provider = options.packageProvider else { throw PackagePlan.missingProvider(reference) }
                try await catalog.addPackage(reference, provider: provider, cache: options.cache, notices: &notices)
            } catch {
                guard tolerant else { throw error }
                notices.append("cannot read the schemas of package \(reference): \((error as? any XfnError)?.message ?? "\(error)")")
            }
        }
        // Local files come after packages so a schema being edited wins over a published one.
        for i in files.indices where files[i].isExtension || options.mode == .sorted {
            catalog.add(entries: files[i].entries, cacheKey: files[i].cacheKey, kinds: files[i].index.kinds, location: files[i].location)
        }

        if options.mode == .sorted {
            // A cached file was skipped as schema-only; read it now if a schema covers its documents.
            for i in files.indices where !files[i].isExtension && files[i].documents == nil && files[i].readError == nil
                && files[i].index.documentKinds.contains(where: catalog.contains) {
                let file = files[i]
                files[i] = try await BlockingIO.run {
                    var copy = file
                    copy.reparse(settings: settings)
                    return copy
                }
            }
        }

        var rendered = RenderedWork()
        if let rendering = options.rendering, options.mode == .sorted {
            rendered = try await render(&files, settings: settings, rendering: rendering)
            notices += rendered.notices
        }
        var items = workItems(files, mode: options.mode, catalog: catalog) + rendered.items
        if let image = options.defaultCrossplaneImage, !image.isEmpty,
           await CrossplaneSchemas.addMissing(Set(items.compactMap(\.gvk)), from: image, to: &catalog, options: options, notices: &notices) {
            // Schema sources among the inputs (XRDs, Functions) are validated once their kind is known.
            items = workItems(files, mode: options.mode, catalog: catalog) + rendered.items
        }
        let schemas = try await catalog.compile(Set(items.compactMap(\.gvk)), cache: options.cache)
        if let cache = options.cache {
            do { try await BlockingIO.run { try cache.saveCompileRecord() } } catch {
                notices.append("cannot save the schema cache's record of compiled schemas: \(error)")
            }
        }
        let results = await validate(items, schemas: schemas, ruleEvaluator: options.ruleEvaluator)
        var report = ValidationReport(results: results, notices: notices)
        report.functionFailures = rendered.functionFailures
        report.statistics.parsedFiles = files.count { $0.wasParsed }
        report.statistics.cachedFiles = files.count { !$0.wasParsed && $0.readError == nil }
        report.statistics.cachedPackages = catalog.cachedPackages
        report.statistics.compiledSchemas = schemas.count
        DeferredRelease.release((consume files, consume items, consume schemas, consume catalog))
        return report
    }

    /// Renders the Compositions of the inputs for their XRs (reading the examples beside them
    /// and the Function documents the schema cache answered for) and returns what to validate.
    private static func render(_ files: inout [LoadedSource], settings: LoadedSource.Settings,
                               rendering: RenderSettings) async throws -> RenderedWork {
        // Only Compositions among the inputs render; most runs have none.
        let compositions = files.indices.contains { i in
            !files[i].isExtension && (files[i].documents ?? []).contains { DocumentRole(of: $0.value) == .composition }
        }
        guard compositions else { return RenderedWork() }
        let examples = try examplesBeside(files, settings: rendering)
        if !examples.isEmpty { files += await load(examples.map { ($0, false) }, settings: settings) }
        let planned = plannedRenders(files, settings: rendering)
        guard !planned.isEmpty else { return RenderedWork() }
        for i in files.indices where holdsFunctions(files[i]) {
            let file = files[i]
            files[i] = try await BlockingIO.run {
                var copy = file
                copy.reparse(settings: settings)
                return copy
            }
        }
        let outcomes = try await rendering.renderer.render(planned.map(\.job), functions: rendering.functions + functionDocuments(files))
        return renderedItems(planned, outcomes: outcomes)
    }

    // MARK: - Reading

    private static func load(_ locations: [(InputLocation, Bool)], settings: LoadedSource.Settings) async -> [LoadedSource] {
        await BlockingIO.concurrentMap(locations.count) { offset in
            LoadedSource.load(locations[offset].0, isExtension: locations[offset].1, settings: settings)
        }
    }

    // MARK: - Sorting documents into work

    /// One object to validate, and how to find its fields in the file.
    struct WorkItem: Sendable {
        var object: Value
        var gvk: GroupVersionKind?
        var document: YAMLDocument?
        /// Where the object sits in its document (a pipeline step's input sits below the Composition).
        var prefix: FieldPath
        var file: String
        /// A finding that stands for the whole item (an unreadable file or document).
        var problem: Finding?
        /// Set for what a Composition rendered.
        var origin: RenderOrigin?

        func position(of path: FieldPath) -> SourcePosition? {
            guard let document else { return nil }
            return document.positions.nearest(FieldPath(prefix.elements + path.elements))
        }
    }

    /// The resources of the input files (not the extensions) to validate.
    static func workItems(_ files: [LoadedSource], mode: Mode, catalog: SchemaCatalog) -> [WorkItem] {
        var items: [WorkItem] = []
        for i in files.indices where !files[i].isExtension {
            let file = files[i]
            let name = file.location.description
            if let error = file.readError {
                let yaml = error as? YAMLError
                let message = yaml.map { "cannot parse YAML: \($0.reason)" } ?? error.message
                items.append(WorkItem(object: .null, document: nil, prefix: .root, file: name,
                                      problem: Finding(kind: .parse, message: message, position: yaml?.position)))
                continue
            }
            let documents = file.documents ?? []
            func broken(before offset: Int) {
                for error in file.documentErrors[offset] ?? [] {
                    items.append(WorkItem(object: .null, document: nil, prefix: .root, file: name,
                                          problem: Finding(kind: .parse, message: "cannot parse YAML: \(error.reason)", position: error.position)))
                }
            }
            defer { broken(before: documents.count) }
            for (offset, document) in documents.enumerated() {
                broken(before: offset)
                let value = document.value
                guard case .object = value, let gvk = GroupVersionKind(of: value) else {
                    // Walking a repository meets values files and patches; xfn passes over them,
                    // crossplane stops at them.
                    if mode == .sorted { continue }
                    items.append(WorkItem(object: value, document: document, prefix: .root, file: name,
                                          problem: Finding(kind: .parse, message: "document \(document.index + 1) is not a Kubernetes object: it needs apiVersion and kind",
                                                           position: document.start)))
                    continue
                }
                let item = WorkItem(object: value, gvk: gvk, document: document, prefix: .root, file: name)
                if mode == .crossplane {
                    if gvk == .composition { items += inputs(of: item, onlyKnown: false, catalog: catalog) }
                    items.append(item)
                    continue
                }
                if let message = file.sourceErrors[offset] {
                    var broken = item
                    broken.problem = Finding(kind: .source, message: message, position: document.start)
                    items.append(broken)
                    continue
                }
                let role = DocumentRole(of: value)
                switch role {
                case .composition:
                    items += inputs(of: item, onlyKnown: true, catalog: catalog)
                    items.append(item)
                case .resource:
                    items.append(item)
                default:
                    if catalog.contains(gvk) { items.append(item) }
                }
            }
        }
        return items
    }

    /// A Composition's pipeline inputs, as resources of their own.
    private static func inputs(of composition: WorkItem, onlyKnown: Bool, catalog: SchemaCatalog) -> [WorkItem] {
        var result: [WorkItem] = []
        for (index, step) in (composition.object["spec"]?["pipeline"]?.arrayValue ?? []).enumerated() {
            guard let input = step["input"], case .object = input else { continue }
            let gvk = GroupVersionKind(of: input)
            if onlyKnown, !(gvk.map(catalog.contains) ?? false) { continue }
            var item = composition
            item.object = input
            item.gvk = gvk
            item.prefix = FieldPath.root.child("spec").child("pipeline").index(index).child("input")
            if gvk == nil {
                item.problem = Finding(kind: .parse, message: "the input of pipeline step \(index) needs apiVersion and kind",
                                       position: item.position(of: .root))
            }
            result.append(item)
        }
        return result
    }

    // MARK: - Validating

    /// Each thread takes the next resource when it is done: resources differ a lot in cost (the
    /// first of a kind compiles what its schema needs), and fixed chunks left one core idle at the end.
    private static func validate(_ items: [WorkItem], schemas: [GroupVersionKind: SchemaCatalog.Compiled],
                                 ruleEvaluator: (any RuleEvaluator)?) async -> [ResourceResult] {
        await BlockingIO.concurrentMap(items.count) { offset in
            validate(items[offset], schemas: schemas, ruleEvaluator: ruleEvaluator)
        }
    }

    static func validate(_ item: WorkItem, schemas: [GroupVersionKind: SchemaCatalog.Compiled],
                         ruleEvaluator: (any RuleEvaluator)?) -> ResourceResult {
        let metadata = item.object["metadata"]
        var name = metadata?["name"]?.stringValue ?? ""
        if name.isEmpty { name = metadata?["annotations"]?["crossplane.io/composition-resource-name"]?.stringValue ?? "" }
        var result = ResourceResult(apiVersion: item.gvk?.apiVersion ?? item.object["apiVersion"]?.stringValue ?? "",
                                    kind: item.gvk?.kind ?? item.object["kind"]?.stringValue ?? "", name: name,
                                    namespace: metadata?["namespace"]?.stringValue ?? "", status: .valid, findings: [],
                                    file: item.file, position: item.problem?.position ?? item.position(of: .root),
                                    renderedFrom: item.origin)
        if let problem = item.problem {
            result.status = problem.kind == .source || problem.kind == .render ? .invalid : .unreadable
            result.findings = [problem]
            return result
        }
        guard let gvk = item.gvk, let compiled = schemas[gvk] else {
            result.status = .missingSchema
            return result
        }
        switch compiled {
        case .failure(let message):
            result.status = .invalid
            result.findings = [Finding(kind: .source, message: message, position: result.position)]
        case .success(let schema, let origin):
            let check = schema.check(item.object, options: CompiledSchema.Options(ruleEvaluator: ruleEvaluator))
            if let error = schema.lateError {
                result.status = .invalid
                result.findings = [Finding(kind: .source, message: "\(error.message) (from \(origin))", position: result.position)]
                return result
            }
            result.findings = check.errors.map { Finding($0, position: item.position(of: $0.path)) }
            result.status = result.findings.isEmpty ? .valid : .invalid
        }
        return result
    }
}
