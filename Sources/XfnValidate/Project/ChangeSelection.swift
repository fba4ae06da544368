import Foundation

/// Which files a change affects (design.md §6, for hooks that pass only the changed files):
/// the changed files themselves; every file using a kind whose CRD or XRD changed; every
/// Composition calling a Function whose document changed; the example XRs of every Composition that
/// changed or whose composite type changed. Compositions are part of the
/// answer on their own so rendering them (`renderPlan`) can be added without choosing again.
public struct ChangeSelection: Sendable, Equatable {
    /// A Composition affected by the change, with the example XRs that exercise it.
    public struct AffectedComposition: Sendable, Equatable {
        public var file: String
        public var name: String
        public var compositeType: GroupKind
        public var functions: [String]
        public var examples: [String]
    }

    /// Relative paths to validate, sorted.
    public var files: [String]
    /// Why each file was selected (for `--verbose`).
    public var reasons: [String: String]
    public var compositions: [AffectedComposition]

    /// Every file of the project, as validating a whole repository does.
    public static func all(_ index: ProjectIndex) -> ChangeSelection {
        let files = index.files.keys.sorted()
        return select(changed: files, index: index)
    }

    public static func select(changed: [String], index: ProjectIndex) -> ChangeSelection {
        var reasons: [String: String] = [:]
        func pick(_ path: String, _ reason: String) {
            if reasons[path] == nil { reasons[path] = reason }
        }
        let changedSet = Set(changed)
        for path in changed { pick(path, "changed") }

        // Kinds whose schema changed: resources of those kinds (and pipeline inputs) are re-checked.
        var changedKinds: Set<GroupKind> = []
        var changedFunctions: Set<String> = []
        for path in changed {
            guard let file = index.files[path] else { continue }
            changedKinds.formUnion(file.defines)
            changedFunctions.formUnion(file.functions)
        }
        if !changedKinds.isEmpty {
            for (path, file) in index.files.sorted(by: { $0.key < $1.key }) where !changedSet.contains(path) {
                if let kind = file.uses.sorted().first(where: changedKinds.contains) {
                    pick(path, "uses \(kind), whose schema changed")
                }
            }
        }

        // Compositions affected: changed themselves, their composite type changed, or a Function
        // they call changed (its package, so its input CRD, may be another version now).
        var compositions: [AffectedComposition] = []
        for (path, file) in index.files.sorted(by: { $0.key < $1.key }) {
            for composition in file.compositions {
                let calls = composition.functions.first(where: changedFunctions.contains)
                if let calls, !changedSet.contains(path) { pick(path, "calls Function \(calls), which changed") }
                let affected = changedSet.contains(path) || changedKinds.contains(composition.compositeType) || calls != nil
                guard affected else { continue }
                let examples = examples(of: composition, index: index)
                for example in examples { pick(example, "an example of Composition \(composition.name)") }
                compositions.append(AffectedComposition(file: path, name: composition.name, compositeType: composition.compositeType,
                                                        functions: composition.functions, examples: examples))
            }
        }
        // An example XR that changed exercises the Compositions of its type: render would run them.
        for path in changed {
            guard let file = index.files[path], isExample(path, index: index) else { continue }
            for (compositionPath, other) in index.files.sorted(by: { $0.key < $1.key }) {
                for composition in other.compositions where file.uses.contains(composition.compositeType)
                    && !compositions.contains(where: { $0.file == compositionPath && $0.name == composition.name }) {
                    pick(compositionPath, "renders \(path), which changed")
                    compositions.append(AffectedComposition(file: compositionPath, name: composition.name, compositeType: composition.compositeType,
                                                            functions: composition.functions, examples: examples(of: composition, index: index)))
                }
            }
        }
        return ChangeSelection(files: reasons.keys.sorted(), reasons: reasons, compositions: compositions)
    }

    static func isExample(_ path: String, index: ProjectIndex) -> Bool {
        let config = index.config
        if config.examplePaths.isEmpty && config.exampleMappings.isEmpty { return true }
        return config.examplePaths.contains { $0.matches(path) } || config.exampleMappings.contains { $0.globs.contains { $0.matches(path) } }
    }

    /// Example XRs for a Composition: named for it in `examples.compositions`, else the files under
    /// `examples.paths` (anywhere, when none are set) holding an object of its composite type.
    static func examples(of composition: ProjectFile.Composition, index: ProjectIndex) -> [String] {
        let config = index.config
        if let mapping = config.exampleMappings.first(where: { $0.composition == composition.name }) {
            return index.files.keys.filter { path in mapping.globs.contains { $0.matches(path) } }.sorted()
        }
        return index.files.filter { path, file in
            file.compositions.isEmpty && file.uses.contains(composition.compositeType)
                && (config.examplePaths.isEmpty || config.examplePaths.contains { $0.matches(path) })
        }.keys.sorted()
    }
}

/// What rendering would do with a selection: each affected Composition with its example XRs and
/// the Functions file. Nothing renders yet; this is where `xfn render` plugs in.
public struct RenderPlan: Sendable, Equatable {
    public struct Job: Sendable, Equatable {
        public var composition: String
        public var compositionFile: String
        public var example: String
        public var functionsFile: String?
        /// Runtimes from `.xfn.yaml` for the functions this composition calls.
        public var runtimes: [String: ProjectConfig.Runtime]
    }

    public var jobs: [Job]

    public init(selection: ChangeSelection, config: ProjectConfig) {
        jobs = selection.compositions.flatMap { composition in
            composition.examples.map { example in
                Job(composition: composition.name, compositionFile: composition.file, example: example, functionsFile: config.functionsFile,
                    runtimes: config.runtimes.filter { composition.functions.contains($0.key) })
            }
        }
    }
}
