import Foundation
import XfnCore

/// The inputs of a validation run in a project: the schema sources `.xfn.yaml` names and the
/// project's other schema files, and the files a change affects.
public struct ProjectPlan: Sendable {
    public var schemaSources: [InputLocation]
    public var packages: [String]
    public var inputs: [InputLocation]
    public var selection: ChangeSelection
    /// Files given that lie outside the project (or are standard input): validated as they are.
    public var outsideProject: [InputLocation]
    /// Files given that are ignored by `.xfn.yaml` or belong to tooling (pre-commit, xfn itself).
    public var passedOver: [String] = []
    public var index: ProjectIndex
    /// The example XRs (as paths in findings) each affected Composition renders, by its name.
    public var renderExamples: [String: [String]] = [:]

    public var renderPlan: RenderPlan { RenderPlan(selection: selection, config: index.config) }

    /// Plans a run for `arguments` (files, directories, `-`; none means the whole project) as seen
    /// from `workingDirectory`, where paths in findings are written relative to.
    public static func make(config: ProjectConfig, arguments: [String], workingDirectory: String,
                            cacheDirectory: String? = nil) async throws -> ProjectPlan {
        let index = try await ProjectIndex.scan(config, cacheDirectory: cacheDirectory)
        let cwd = URL(fileURLWithPath: workingDirectory).standardizedFileURL.path
        func absolute(_ path: String) -> String {
            URL(fileURLWithPath: path.hasPrefix("/") ? path : cwd + "/" + path).standardizedFileURL.path
        }
        func display(_ absolutePath: String) -> String {
            let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
            return absolutePath.hasPrefix(prefix) ? String(absolutePath.dropFirst(prefix.count)) : absolutePath
        }

        var outside: [InputLocation] = []
        var skipped: [String] = []
        let selection: ChangeSelection
        if arguments.isEmpty {
            selection = .all(index)
        } else {
            var changed: [String] = []
            var configChanged = false
            let locations = try InputLocation.expand(arguments.map { $0 == "-" ? $0 : absolute($0) }, extensions: ProjectIndex.fileExtensions)
            for location in locations {
                guard case .file(let path) = location, let relative = config.relative(path) else {
                    outside.append(location.displayed(display))
                    continue
                }
                if absolute(path) == config.resolve(config.file) || relative == ProjectConfig.fileName { configChanged = true }
                guard ProjectIndex.isCandidate(relative), !config.isIgnored(relativePath: relative) else {
                    skipped.append(relative)
                    continue
                }
                changed.append(relative)
            }
            selection = configChanged ? .all(index) : .select(changed: changed, index: index)
        }

        var inputs: [InputLocation] = []
        var taken: Set<String> = []
        for relative in selection.files {
            let path = config.root + "/" + relative
            taken.insert(path)
            inputs.append(.file(display(path)))
        }
        var sources: [InputLocation] = []
        let named = try InputLocation.expand(config.schemaPaths.map(config.resolve), extensions: ProjectIndex.fileExtensions)
        for case .file(let path) in named where taken.insert(path).inserted {
            // Inside the project, only files that do supply schemas: an unchanged Composition next to
            // its XRD is not read, and a broken file stays out unless it changed.
            if let relative = config.relative(path), let file = index.files[relative], !file.isSchemaSource || file.unreadable { continue }
            sources.append(.file(display(path)))
        }
        if let file = config.functionsFile {
            let path = config.resolve(file)
            if FileManager.default.fileExists(atPath: path), taken.insert(path).inserted { sources.append(.file(display(path))) }
        }
        for (relative, file) in index.files.sorted(by: { $0.key < $1.key }) where file.isSchemaSource && !file.unreadable {
            let path = config.root + "/" + relative
            if taken.insert(path).inserted { sources.append(.file(display(path))) }
        }
        var plan = ProjectPlan(schemaSources: sources, packages: config.schemaPackages, inputs: inputs + outside, selection: selection,
                               outsideProject: outside, passedOver: skipped, index: index)
        for composition in selection.compositions {
            plan.renderExamples[composition.name, default: []] += composition.examples.map { display(config.root + "/" + $0) }
        }
        return plan
    }
}

extension InputLocation {
    func displayed(_ display: (String) -> String) -> InputLocation {
        switch self {
        case .file(let path): .file(display(path))
        case .standardInput: .standardInput
        }
    }
}
