import Foundation
import XfnCore
import XfnYAML

/// Rendering inside a validation run (design.md §6): each Composition among the inputs is run for
/// the XRs of its composite type, and what it renders is validated like any other resource, with
/// positions pointing back into the Composition.
extension ValidationRun {
    struct PlannedRender {
        var job: RenderJob
        var composition: YAMLDocument
        var compositeResourcePosition: SourcePosition?
    }

    /// Files of `examples/` beside each Composition's file that has no XR of its type among the
    /// inputs; they are read, validated and used as that Composition's XRs.
    static func examplesBeside(_ files: [LoadedSource], settings: RenderSettings) throws -> [InputLocation] {
        guard settings.examplesBesideCompositions else { return [] }
        // Without any Function nothing can render, so nothing beside the inputs is read either.
        let functionsKnown = !settings.functions.isEmpty
            || files.contains { !$0.index.packages.isEmpty || !functionDocuments([$0]).isEmpty }
        guard functionsKnown else { return [] }
        let candidates = compositeResources(in: files)
        var directories: [String] = []
        for file in files where !file.isExtension {
            guard case .file(let path) = file.location else { continue }
            for document in file.documents ?? [] where DocumentRole(of: document.value) == .composition {
                let type = compositeType(of: document.value)
                guard settings.examples[document.value.name] == nil, !candidates.contains(where: { type.matches($0.value) }) else { continue }
                let directory = (path as NSString).deletingLastPathComponent
                let examples = (directory.isEmpty ? "" : directory + "/") + "examples"
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: examples, isDirectory: &isDirectory), isDirectory.boolValue,
                   !directories.contains(examples) {
                    directories.append(examples)
                }
            }
        }
        let given = Set(files.map(\.location))
        return try InputLocation.expand(directories, extensions: ["yaml", "yml", "json"]).filter { !given.contains($0) }
    }

    /// Every Composition of the inputs paired with the XRs it renders: those named for it, else
    /// every XR of its composite type that its name and labels do not rule out.
    static func plannedRenders(_ files: [LoadedSource], settings: RenderSettings) -> [PlannedRender] {
        let candidates = compositeResources(in: files)
        var planned: [PlannedRender] = []
        for file in files where !file.isExtension {
            for document in file.documents ?? [] where DocumentRole(of: document.value) == .composition {
                let composition = document.value
                let type = compositeType(of: composition)
                let named = settings.examples[composition.name].map(Set.init)
                for candidate in candidates where type.matches(candidate.value) {
                    if let named, !named.contains(candidate.file) { continue }
                    if named == nil, !selects(candidate.value, composition) { continue }
                    planned.append(PlannedRender(
                        job: RenderJob(composition: composition, compositionFile: file.location.description,
                                       compositeResource: candidate.value, compositeResourceFile: candidate.file),
                        composition: document, compositeResourcePosition: candidate.position))
                }
            }
        }
        return planned
    }

    /// Function documents of the inputs and sources (files the schema cache answered are read for them).
    static func functionDocuments(_ files: [LoadedSource]) -> [Value] {
        files.flatMap { file in
            (file.documents ?? []).map(\.value).filter { GroupVersionKind(of: $0)?.isFunction ?? false }
        }
    }

    /// Whether a file must be read again for its Function documents: the schema cache answered
    /// for it, or it is a schema source whose documents were let go once its schemas were taken.
    static func holdsFunctions(_ file: LoadedSource) -> Bool {
        let unread = file.documents == nil || (file.isExtension && file.documents?.isEmpty == true)
        return unread && file.readError == nil && !file.index.packages.isEmpty
    }

    /// The work items for what the renders gave: the composed resources (the XR itself is
    /// validated as an input), or a finding for a render that failed.
    static func renderedItems(_ planned: [PlannedRender], outcomes: [RenderJobOutcome]) -> RenderedWork {
        var work = RenderedWork()
        for (render, outcome) in zip(planned, outcomes) {
            let origin = RenderOrigin(composition: render.job.composition.name, compositeResourceFile: render.job.compositeResourceFile,
                                      compositeResourceName: render.job.compositeResource.name)
            switch outcome {
            case .rendered(let documents):
                for object in documents.dropFirst() {
                    guard case .object = object else { continue }
                    let name = object.annotations["crossplane.io/composition-resource-name"] ?? ""
                    var item = WorkItem(object: object, gvk: GroupVersionKind(of: object), document: render.composition,
                                        prefix: templatePath(of: name, in: render.job.composition), file: render.job.compositionFile)
                    item.origin = origin
                    if item.gvk == nil {
                        item.problem = Finding(kind: .render, message: "the function rendered \(name.isEmpty ? "a resource" : "resource \"\(name)\"") without apiVersion and kind",
                                               position: item.position(of: .root))
                    }
                    work.items.append(item)
                }
            case .skipped(let notice):
                if let notice, !work.notices.contains(notice) { work.notices.append(notice) }
            case .failed(let message, let functionFailed):
                if functionFailed { work.functionFailures += 1 }
                var item = WorkItem(object: render.job.compositeResource, gvk: GroupVersionKind(of: render.job.compositeResource),
                                    document: render.composition, prefix: .root, file: render.job.compositionFile)
                item.origin = origin
                item.problem = Finding(kind: .render, message: message, position: render.composition.start)
                work.items.append(item)
            }
        }
        return work
    }

    struct RenderedWork {
        var items: [WorkItem] = []
        var functionFailures = 0
        var notices: [String] = []
    }

    /// Where a composed resource is written in the Composition: the `base` (or `template`) of the
    /// pipeline input entry named like it, as patch-and-transform and similar functions take them;
    /// else the step whose input names it; else the pipeline.
    static func templatePath(of resourceName: String, in composition: Value) -> FieldPath {
        let pipelinePath = FieldPath.root.child("spec").child("pipeline")
        guard !resourceName.isEmpty, let steps = composition["spec"]?["pipeline"]?.arrayValue else { return pipelinePath }
        var mentioned: FieldPath?
        for (index, step) in steps.enumerated() {
            guard let input = step["input"] else { continue }
            let inputPath = pipelinePath.index(index).child("input")
            if let found = findTemplate(named: resourceName, in: input, at: inputPath) { return found }
            if mentioned == nil, mentions(resourceName, input) { mentioned = pipelinePath.index(index) }
        }
        return mentioned ?? pipelinePath
    }

    private static func findTemplate(named name: String, in value: Value, at path: FieldPath) -> FieldPath? {
        switch value {
        case .object(let object):
            if object["name"]?.stringValue == name {
                for key in ["base", "template"] where object[key]?.objectValue != nil { return path.child(key) }
            }
            for (key, member) in object {
                if let found = findTemplate(named: name, in: member, at: path.child(key)) { return found }
            }
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = findTemplate(named: name, in: item, at: path.index(index)) { return found }
            }
        default:
            break
        }
        return nil
    }

    private static func mentions(_ text: String, _ value: Value) -> Bool {
        switch value {
        case .string(let string): string == text || string.contains("\"\(text)\"")
        case .object(let object): object.contains { mentions(text, $0.value) }
        case .array(let items): items.contains { mentions(text, $0) }
        default: false
        }
    }

    private struct CompositeType {
        var apiVersion: String
        var kind: String

        func matches(_ object: Value) -> Bool {
            !kind.isEmpty && object["apiVersion"]?.stringValue == apiVersion && object["kind"]?.stringValue == kind
        }
    }

    private static func compositeType(of composition: Value) -> CompositeType {
        let reference = composition["spec"]?["compositeTypeRef"]
        return CompositeType(apiVersion: reference?["apiVersion"]?.stringValue ?? "", kind: reference?["kind"]?.stringValue ?? "")
    }

    private struct Candidate {
        var value: Value
        var file: String
        var position: SourcePosition?
    }

    private static func compositeResources(in files: [LoadedSource]) -> [Candidate] {
        files.filter { !$0.isExtension }.flatMap { file in
            (file.documents ?? []).filter { DocumentRole(of: $0.value) == .resource && GroupVersionKind(of: $0.value) != nil }
                .map { Candidate(value: $0.value, file: file.location.description, position: $0.start) }
        }
    }

    /// Whether an XR could use this Composition: a composition reference names it, and selector
    /// labels (v2's `spec.crossplane` or the legacy place) are all on it.
    private static func selects(_ xr: Value, _ composition: Value) -> Bool {
        let spec = xr["spec"]
        let crossplane = spec?["crossplane"]
        if let wanted = crossplane?["compositionRef"]?["name"]?.stringValue ?? spec?["compositionRef"]?["name"]?.stringValue {
            return wanted == composition.name
        }
        if let selector = crossplane?["compositionSelector"]?["matchLabels"]?.objectValue
            ?? spec?["compositionSelector"]?["matchLabels"]?.objectValue {
            let labels = composition.labels
            return selector.allSatisfy { labels[$0.key] == $0.value.stringValue }
        }
        return true
    }
}
