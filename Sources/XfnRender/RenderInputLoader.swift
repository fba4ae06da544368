import Foundation
import XfnCore
import XfnYAML

/// Reads render's input files the way crossplane render does: the XR, the Composition and an XRD are
/// one document each; the other inputs are YAML streams from a file or from every `.yaml`/`.yml`
/// file of a directory (not recursive), with empty documents skipped.
public enum RenderInputLoader {
    public static func single(_ path: String, what: String) async throws -> Value {
        let documents = try await read(path, what: what)
        guard let first = documents.first else {
            throw RenderError(.input, "\(path): no \(what) in the file")
        }
        guard first.objectValue != nil else {
            throw RenderError(.input, "\(path): the \(what) is not a YAML object")
        }
        return first
    }

    public static func stream(_ path: String, what: String) async throws -> [Value] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RenderError(.input, "\(path): no such file or directory (\(what))")
        }
        guard isDirectory.boolValue else { return try await read(path, what: what) }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        guard !names.isEmpty else {
            throw RenderError(.input, "\(path): the directory has no .yaml or .yml files (\(what))")
        }
        var documents: [Value] = []
        for name in names { documents += try await read((path as NSString).appendingPathComponent(name), what: what) }
        return documents
    }

    /// Function objects: `pkg.crossplane.io/v1` or `v1beta1` `Function`, anything else is an error.
    public static func functions(_ path: String) async throws -> [Value] {
        let documents = try await stream(path, what: "functions")
        for document in documents {
            let gv = document.apiVersion
            guard document.kind == "Function", gv == "pkg.crossplane.io/v1" || gv == "pkg.crossplane.io/v1beta1" else {
                throw RenderError(.input, "\(path): \(document.kind.isEmpty ? "a document" : document.kind) \"\(document.name)\" is not a function",
                                  hint: "the functions file holds pkg.crossplane.io/v1 Function objects")
            }
        }
        return documents
    }

    /// `--required-schemas`: a directory of OpenAPI v3 JSON documents (or one such file).
    public static func schemas(_ path: String) async throws -> [Value] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RenderError(.input, "\(path): no such file or directory (required schemas)")
        }
        let files: [String]
        if isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
        } else {
            files = [path]
        }
        var documents: [Value] = []
        for file in files {
            let data = try await BlockingIO.run { try Data(contentsOf: URL(fileURLWithPath: file)) }
            do { documents.append(try ValueJSON.parse(data)) } catch let error as ValueJSON.SyntaxError {
                throw RenderError(.input, "\(file): \(error.message)")
            }
        }
        return documents
    }

    /// `--context-files` and `--context-values`: each value parsed as YAML (so JSON too); values
    /// replace files for the same key.
    public static func context(files: [String: String], values: [String: String]) async throws -> ValueObject {
        var context = ValueObject()
        for key in files.keys.sorted() {
            let path = files[key]!
            let text: String
            do {
                text = try await BlockingIO.run { try String(contentsOfFile: path, encoding: .utf8) }
            } catch {
                throw RenderError(.input, "\(path): cannot read context file for key \"\(key)\": \(error.localizedDescription)")
            }
            context[key] = try parseContextValue(text, source: path)
        }
        for key in values.keys.sorted() {
            context[key] = try parseContextValue(values[key]!, source: "--context-values \(key)")
        }
        return context
    }

    static func parseContextValue(_ text: String, source: String) throws -> Value {
        let documents = try YAMLReader.read(text, file: source)
        return documents.first?.value ?? .null
    }

    private static func read(_ path: String, what: String) async throws -> [Value] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw RenderError(.input, "\(path): no such file (\(what))")
        }
        let documents = try await YAMLReader.read(contentsOf: URL(fileURLWithPath: path))
        return documents.map(\.value).filter { !$0.isNull }
    }
}
