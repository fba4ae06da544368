import Foundation
import XfnCore
import XfnYAML

/// A type named without its version: an XRD or CRD change affects every version it serves, and
/// a Composition's `compositeTypeRef` is matched by group and kind.
public struct GroupKind: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let group: String
    public let kind: String

    public init(group: String, kind: String) {
        self.group = group
        self.kind = kind
    }

    public init(_ gvk: GroupVersionKind) { self.init(group: gvk.group, kind: gvk.kind) }

    public var description: String { group.isEmpty ? kind : "\(kind).\(group)" }

    public static func < (a: GroupKind, b: GroupKind) -> Bool { (a.group, a.kind) < (b.group, b.kind) }
}

/// What one repository file holds, as far as deciding what a change affects needs to know.
public struct ProjectFile: Sendable, Equatable, Codable {
    /// Relative to the project root.
    public var path: String
    /// Kinds whose schemas the file defines (CRDs; XRDs with their claims).
    public var defines: Set<GroupKind> = []
    /// Kinds of the objects it holds (and of its Compositions' pipeline inputs).
    public var uses: Set<GroupKind> = []
    /// Its Compositions: name and the composite type they compose.
    public var compositions: [Composition] = []
    /// Whether it supplies schemas through packages or crossplane.yaml dependencies.
    public var namesPackages = false
    /// `metadata.name` of its pkg.crossplane.io Function documents (what `functionRef.name` calls).
    public var functions: Set<String> = []
    /// Whether it could not be read as YAML (such a file is validated only when it changed).
    public var unreadable = false

    public struct Composition: Sendable, Equatable, Codable {
        public var name: String
        public var compositeType: GroupKind
        /// `functionRef.name` of each pipeline step.
        public var functions: [String]
    }

    public var isSchemaSource: Bool { !defines.isEmpty || namesPackages }
}

/// Every YAML and JSON file of a project (minus ignored ones), read for kinds and references.
public struct ProjectIndex: Sendable {
    public let config: ProjectConfig
    public private(set) var files: [String: ProjectFile] = [:]

    static let fileExtensions: Set<String> = ["yaml", "yml", "json"]
    /// Files of the tooling around a repository, never resources.
    static let toolingFiles: Set<String> = [ProjectConfig.fileName, ".pre-commit-config.yaml", ".pre-commit-hooks.yaml"]

    /// Walks the project root and reads its files in parallel. With xfn's cache directory, what a file
    /// holds is kept (under `CACHE/schemas/project-v1`) by the SHA-256 of its contents, so a warm run
    /// hashes files instead of parsing them. A cache directory inside the project is not walked.
    public static func scan(_ config: ProjectConfig, cacheDirectory: String? = nil) async throws -> ProjectIndex {
        let skipped = cacheDirectory.flatMap(config.relative)
        let paths = try await BlockingIO.run { try listFiles(config, skipping: skipped) }
        let descriptions = cacheDirectory.map { DescriptionCache(directory: $0 + "/schemas/project-v1") }
        let files = await withTaskGroup(of: ProjectFile.self) { group in
            for path in paths {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        DispatchQueue.global(qos: .userInitiated).async {
                            continuation.resume(returning: read(path, config: config, cache: descriptions))
                        }
                    }
                }
            }
            var result: [String: ProjectFile] = [:]
            for await file in group { result[file.path] = file }
            return result
        }
        var index = ProjectIndex(config: config)
        index.files = files
        return index
    }

    init(config: ProjectConfig) { self.config = config }

    /// Builds an index from files already read (for tests and callers that hold the contents).
    public init(config: ProjectConfig, files: [ProjectFile]) {
        self.config = config
        for file in files { self.files[file.path] = file }
    }

    /// Relative paths of the project's files, sorted.
    static func listFiles(_ config: ProjectConfig, skipping skipped: String? = nil) throws -> [String] {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: config.root) else {
            throw FileError(path: config.root, operation: "list", code: errno)
        }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name == ".git" || relative == skipped || config.isIgnored(relativePath: relative) {
                walker.skipDescendants()
                continue
            }
            guard isCandidate(relative) else { continue }
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: config.root + "/" + relative, isDirectory: &isDirectory), !isDirectory.boolValue {
                found.append(relative)
            }
        }
        return found.sorted()
    }

    static func isCandidate(_ relative: String) -> Bool {
        let name = (relative as NSString).lastPathComponent
        return fileExtensions.contains((name as NSString).pathExtension.lowercased()) && !toolingFiles.contains(name)
    }

    /// Reads one file; blocking.
    static func read(_ relative: String, config: ProjectConfig, cache: DescriptionCache?) -> ProjectFile {
        guard let data = FileManager.default.contents(atPath: config.root + "/" + relative) else {
            return ProjectFile(path: relative, unreadable: true)
        }
        guard let cache else { return describe(data, path: relative) }
        let key = SHA256Hasher.digest(data).hex
        if var cached = cache.load(key) {
            cached.path = relative
            return cached
        }
        let file = describe(data, path: relative)
        cache.store(file, key: key)
        return file
    }

    /// What a file's contents define and use.
    public static func describe(_ data: Data, path: String) -> ProjectFile {
        var file = ProjectFile(path: path)
        let documents: [YAMLDocument]
        do {
            documents = try YAMLReader.read(data, file: path, options: YAMLReader.Options(allowDuplicateKeys: true, recordPositions: false))
        } catch {
            file.unreadable = true
            return file
        }
        for document in documents {
            let value = document.value
            guard let gvk = GroupVersionKind(of: value) else { continue }
            file.uses.insert(GroupKind(gvk))
            let spec = value["spec"]
            let group = spec?["group"]?.stringValue ?? ""
            switch DocumentRole(of: value) {
            case .customResourceDefinition, .compositeResourceDefinition:
                for names in ["names", "claimNames"] {
                    if let kind = spec?[names]?["kind"]?.stringValue { file.defines.insert(GroupKind(group: group, kind: kind)) }
                }
            case .package, .configurationPackage, .configurationMeta:
                file.namesPackages = true
                if gvk.kind == "Function", let name = value["metadata"]?["name"]?.stringValue { file.functions.insert(name) }
            case .composition:
                let reference = spec?["compositeTypeRef"]
                let typeGVK = GroupVersionKind(apiVersion: reference?["apiVersion"]?.stringValue ?? "", kind: reference?["kind"]?.stringValue ?? "")
                var functions: [String] = []
                for step in spec?["pipeline"]?.arrayValue ?? [] {
                    if let name = step["functionRef"]?["name"]?.stringValue { functions.append(name) }
                    if let input = step["input"], let inputGVK = GroupVersionKind(of: input) { file.uses.insert(GroupKind(inputGVK)) }
                }
                file.compositions.append(.init(name: value["metadata"]?["name"]?.stringValue ?? "", compositeType: GroupKind(typeGVK),
                                               functions: functions))
            case .resource:
                break
            }
        }
        return file
    }
}

/// Descriptions of file contents by digest. A description that cannot be stored or read back is
/// computed again, so failures here cost time, never correctness.
struct DescriptionCache: Sendable {
    let directory: String

    func load(_ key: String) -> ProjectFile? {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(key).json") else { return nil }
        // A corrupt entry is a miss: the file is parsed again and the entry rewritten.
        return try? JSONDecoder().decode(ProjectFile.self, from: data)
    }

    func store(_ file: ProjectFile, key: String) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try JSONEncoder().encode(file).write(to: URL(fileURLWithPath: "\(directory)/\(key).json"), options: .atomic)
        } catch {
            // An unwritable cache leaves the next run to parse the file again.
        }
    }
}
