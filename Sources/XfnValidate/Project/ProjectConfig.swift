import Foundation
import XfnCore
import XfnYAML

/// A repository's `.xfn.yaml`: where its schemas, functions and example XRs are, what to pass over,
/// and how `xfn validate` reports. Paths in it are relative to the directory that holds it.
public struct ProjectConfig: Sendable, Equatable {
    public static let fileName = ".xfn.yaml"

    /// How a Function runs when compositions are rendered (kept for the render step).
    public struct Runtime: Sendable, Equatable {
        /// `Process`, `Docker` or `Development`, as `render.crossplane.io/runtime` names them.
        public var kind: String
        /// For Development: the address of the running function.
        public var target: String?
    }

    /// Example XRs that exercise one Composition, named explicitly rather than found by type.
    public struct ExampleMapping: Sendable, Equatable {
        public var composition: String
        public var globs: [PathGlob]
    }

    /// The configuration file itself.
    public var file: String
    /// The directory holding the file; every relative path is resolved against it.
    public var root: String
    /// Files and directories holding CRDs, XRDs, packages and crossplane.yaml files.
    public var schemaPaths: [String] = []
    /// Package references whose schemas are used (Providers, Functions, Configurations).
    public var schemaPackages: [String] = []
    /// The file listing the Functions compositions use (pkg.crossplane.io Function documents).
    public var functionsFile: String?
    /// Where example XRs live; an XR here exercises the Compositions whose `compositeTypeRef`
    /// names its apiVersion's group and its kind.
    public var examplePaths: [PathGlob] = []
    public var exampleMappings: [ExampleMapping] = []
    public var runtimes: [String: Runtime] = [:]
    public var ignore: [PathGlob] = []
    /// The output format unless `-o` is given: text, json, github or junit.
    public var output: String?
    public var offline = false

    public init(file: String, root: String) {
        self.file = file
        self.root = root
    }

    public static let outputFormats = ["text", "json", "github", "junit"]
    static let runtimeKinds = ["Process", "Docker", "Development"]

    /// The configuration for work started in `directory`: the nearest `.xfn.yaml` in it or a parent.
    public static func discover(from directory: String) throws -> ProjectConfig? {
        var current = URL(fileURLWithPath: directory).standardizedFileURL.path
        while true {
            let candidate = current == "/" ? "/" + fileName : current + "/" + fileName
            if FileManager.default.fileExists(atPath: candidate) { return try load(candidate) }
            if current == "/" || current.isEmpty { return nil }
            current = (current as NSString).deletingLastPathComponent
        }
    }

    public static func load(_ path: String) throws -> ProjectConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidateError("cannot read the configuration \(path): no such file or it is not readable", exitCode: .usage)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return try parse(data, file: path, root: (absolute as NSString).deletingLastPathComponent)
    }

    public static func parse(_ data: Data, file: String, root: String) throws -> ProjectConfig {
        let documents: [YAMLDocument]
        do { documents = try YAMLReader.read(data, file: file) } catch let error as YAMLError {
            throw ValidateError(error.message, hint: error.hint, exitCode: .usage)
        }
        var config = ProjectConfig(file: file, root: root)
        guard let document = documents.first else { return config }
        guard documents.count == 1 else {
            throw ConfigReader(document: documents[1], file: file).error(at: .root, "holds more than one YAML document", hint: "keep one mapping in \(fileName)")
        }
        let reader = ConfigReader(document: document, file: file)
        if document.value.isNull { return config }
        let top = try reader.object(at: .root, keys: ["schemas", "functions", "examples", "runtimes", "ignore", "output", "offline"])
        for (key, _) in top {
            let path = FieldPath.root.child(key)
            switch key {
            case "schemas":
                for (index, item) in try reader.array(at: path).enumerated() {
                    let itemPath = path.index(index)
                    if case .string = item {
                        config.schemaPaths.append(try reader.string(at: itemPath))
                        continue
                    }
                    let entry = try reader.object(at: itemPath, keys: ["path", "package"],
                                                  expected: "a path or a mapping with path or package")
                    if entry["path"] != nil { config.schemaPaths.append(try reader.string(at: itemPath.child("path"))) }
                    if entry["package"] != nil {
                        let reference = try reader.string(at: itemPath.child("package"))
                        guard reference.contains("/"), reference.contains(":") || reference.contains("@") else {
                            throw reader.error(at: itemPath.child("package"), "package \"\(reference)\" is not a fully qualified reference",
                                               hint: "write host/path:tag, e.g. xpkg.crossplane.io/crossplane-contrib/provider-nop:v0.4.0")
                        }
                        config.schemaPackages.append(reference)
                    }
                    if entry.isEmpty { throw reader.error(at: itemPath, "a schemas entry needs path or package", hint: nil) }
                }
            case "functions":
                config.functionsFile = try reader.string(at: path)
            case "examples":
                let examples = try reader.object(at: path, keys: ["paths", "compositions"])
                if examples["paths"] != nil { config.examplePaths = try reader.strings(at: path.child("paths")).map(PathGlob.init) }
                if examples["compositions"] != nil {
                    for (name, _) in try reader.object(at: path.child("compositions"), keys: nil) {
                        let globs = try reader.strings(at: path.child("compositions").child(name)).map(PathGlob.init)
                        config.exampleMappings.append(ExampleMapping(composition: name, globs: globs))
                    }
                }
            case "runtimes":
                for (name, _) in try reader.object(at: path, keys: nil) {
                    let entryPath = path.child(name)
                    let entry = try reader.object(at: entryPath, keys: ["runtime", "target"])
                    let kind = try reader.string(at: entryPath.child("runtime"))
                    guard runtimeKinds.contains(kind) else {
                        throw reader.error(at: entryPath.child("runtime"), "unknown runtime \"\(kind)\"",
                                           hint: "use one of \(runtimeKinds.joined(separator: ", "))")
                    }
                    let target = entry["target"] != nil ? try reader.string(at: entryPath.child("target")) : nil
                    config.runtimes[name] = Runtime(kind: kind, target: target)
                }
            case "ignore":
                config.ignore = try reader.strings(at: path).map(PathGlob.init)
            case "output":
                let format = try reader.string(at: path)
                guard outputFormats.contains(format) else {
                    throw reader.error(at: path, "unknown output format \"\(format)\"", hint: "use one of \(outputFormats.joined(separator: ", "))")
                }
                config.output = format
            case "offline":
                guard case .bool(let flag) = document.value["offline"] else {
                    throw reader.typeError(at: path, expected: "true or false")
                }
                config.offline = flag
            default:
                break
            }
        }
        return config
    }

    /// `path` relative to the configuration's directory, made absolute.
    public func resolve(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : root + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// `path` relative to the root, or nil when it lies outside it.
    public func relative(_ path: String) -> String? {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if absolute == root { return "" }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard absolute.hasPrefix(prefix) else { return nil }
        return String(absolute.dropFirst(prefix.count))
    }

    public func isIgnored(relativePath: String) -> Bool {
        ignore.contains { $0.matches(relativePath) }
    }
}

/// Reads typed values out of the configuration document, failing with the position of the culprit.
private struct ConfigReader {
    let document: YAMLDocument
    let file: String

    func value(at path: FieldPath) -> Value {
        var current = document.value
        for element in path.elements {
            switch element {
            case .key(let key): current = current[key] ?? .null
            case .index(let index): current = current.arrayValue.flatMap { $0.indices.contains(index) ? $0[index] : nil } ?? .null
            }
        }
        return current
    }

    /// `message` about the value at `path`, led by its position; `named` puts the path first.
    func error(at path: FieldPath, _ message: String, hint: String?, named: Bool = true) -> ValidateError {
        let position = document.positions.nearest(path)
        let place = position.map { "\(file):\($0.line):\($0.column)" } ?? file
        let subject = path.isRoot || !named ? "" : " \(path)"
        return ValidateError("\(place):\(subject) \(message)", hint: hint, exitCode: .usage)
    }

    func typeError(at path: FieldPath, expected: String) -> ValidateError {
        error(at: path, "must be \(expected), not \(value(at: path).kubernetesTypeName)", hint: "see docs/configuration.md for the shape of \(ProjectConfig.fileName)")
    }

    /// A mapping whose keys must be among `keys` (nil: any key).
    func object(at path: FieldPath, keys: [String]?, expected: String = "a mapping") throws -> ValueObject {
        guard case .object(let object) = value(at: path) else { throw typeError(at: path, expected: expected) }
        if let keys {
            for (key, _) in object where !keys.contains(key) {
                let place = path.isRoot ? "" : " in \(path)"
                throw error(at: path.child(key), "unknown key \"\(key)\"\(place)", hint: "known keys here: \(keys.joined(separator: ", "))",
                            named: false)
            }
        }
        return object
    }

    func array(at path: FieldPath) throws -> [Value] {
        guard case .array(let items) = value(at: path) else { throw typeError(at: path, expected: "a list") }
        return items
    }

    func string(at path: FieldPath) throws -> String {
        guard case .string(let text) = value(at: path), !text.isEmpty else { throw typeError(at: path, expected: "a non-empty string") }
        return text
    }

    /// A list of strings; a single string is taken as a list of one.
    func strings(at path: FieldPath) throws -> [String] {
        if case .string = value(at: path) { return [try string(at: path)] }
        return try array(at: path).indices.map { try string(at: path.index($0)) }
    }
}
