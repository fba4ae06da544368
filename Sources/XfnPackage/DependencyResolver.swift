import Foundation
import XfnCore
import XfnOCI
import XfnRegistry

/// Follows `dependsOn` from a package through every package it needs — Configurations, and Providers'
/// and Functions' own dependencies too — resolving each version (a digest, an exact tag, or a semantic
/// version constraint against the repository's tags, highest match) and pulling a level at a time in
/// parallel. A cycle, or constraints no single version satisfies, is reported with who asked for what.
public struct DependencyResolver: Sendable {
    public struct Node: Sendable {
        public let pulled: Puller.Result
        public let contents: PackageContents
        public var reference: Reference { pulled.reference }
        public var digest: Digest { pulled.digest }
        /// Names (`registry/repository`) of the packages this one depends on.
        public let dependsOn: [String]
    }

    public let puller: Puller
    public let loader: PackageLoader
    public let options: Puller.Options

    public init(puller: Puller, loader: PackageLoader, options: Puller.Options) {
        self.puller = puller
        self.loader = loader
        self.options = options
    }

    /// The root and every package it depends on, root first.
    public func resolve(_ root: Reference) async throws -> [Node] {
        var nodes: [String: Node] = [:]
        var order: [String] = []
        var requirements: [String: [(constraint: String?, by: String)]] = [:]
        var tagCache: [String: [String]] = [:]
        var level: [(name: String, reference: Reference)] = [(root.name, root)]

        while !level.isEmpty {
            let pulled = try await withThrowingTaskGroup(of: Node.self) { group in
                for item in level {
                    group.addTask { try await pullNode(item.reference) }
                }
                var results: [Node] = []
                for try await node in group { results.append(node) }
                return results
            }
            var next: [(name: String, reference: Reference)] = []
            for node in pulled.sorted(by: { $0.reference.description < $1.reference.description }) {
                if nodes[node.reference.name] == nil { order.append(node.reference.name) }
                nodes[node.reference.name] = node
                for dependency in node.contents.meta.dependencies {
                    let name = try Self.name(of: dependency)
                    requirements[name, default: []].append((dependency.version, node.reference.name))
                    if let existing = nodes[name], Self.satisfies(existing.reference, dependency.version) { continue }
                    // Every requirement seen so far must hold for the one version chosen.
                    let reference = try await choose(name, requirements: requirements[name]!, tagCache: &tagCache)
                    if let queued = next.firstIndex(where: { $0.name == name }) {
                        next[queued].reference = reference
                        continue
                    }
                    if let existing = nodes[name], existing.reference == reference { continue }
                    next.append((name, reference))
                }
            }
            level = next
        }
        try Self.checkForCycles(nodes: nodes, root: root.name)
        return order.compactMap { nodes[$0] }
    }

    private func pullNode(_ reference: Reference) async throws -> Node {
        let result = try await puller.pull(reference, options: options)
        let contents = try await loader.contents(manifestDigest: result.manifestDigest, manifest: result.manifest, name: reference.description)
        let dependsOn = try contents.meta.dependencies.map(Self.name(of:))
        return Node(pulled: result, contents: contents, dependsOn: dependsOn)
    }

    /// A reference for `name` that meets every requirement seen so far.
    private func choose(_ name: String, requirements: [(constraint: String?, by: String)],
                        tagCache: inout [String: [String]]) async throws -> Reference {
        var tags = tagCache[name]
        let reference = try await PackageVersions.reference(name: name, requirements: requirements) {
            if let tags { return tags }
            let listed = try await puller.registry.listTags(try Reference(parsing: "\(name):latest"))
            tags = listed
            return listed
        }
        tagCache[name] = tags
        return reference
    }

    static func satisfies(_ reference: Reference, _ version: String?) -> Bool {
        guard let version else { return true }
        if version.hasPrefix("sha256:") { return reference.digest?.description == version }
        guard let tag = reference.tag else { return false }
        guard let constraint = try? VersionConstraint(version) else { return tag == version }
        return SemanticVersion(tag).map(constraint.isSatisfied(by:)) ?? false
    }

    /// `registry/repository` of a dependency; the package must be fully qualified, as in Crossplane v2.
    static func name(of dependency: PackageDependency) throws -> String {
        do { return try Reference(parsing: dependency.package + ":probe").name } catch let error as ReferenceError {
            throw PackageError("dependency '\(dependency.package)' is not a fully-qualified package name: \(error.reason)",
                               hint: error.hint, exitCode: .failure)
        }
    }

    static func checkForCycles(nodes: [String: Node], root: String) throws {
        var state: [String: Bool] = [:]  // false: on the current path; true: finished
        var path: [String] = []
        func visit(_ name: String) throws {
            if state[name] == true { return }
            if state[name] == false {
                let start = path.firstIndex(of: name) ?? 0
                let cycle = (path[start...] + [name]).joined(separator: " → ")
                throw PackageError("dependency cycle: \(cycle)", hint: "a package cannot depend on itself, directly or through others", exitCode: .failure)
            }
            state[name] = false
            path.append(name)
            for child in nodes[name]?.dependsOn ?? [] { try visit(child) }
            path.removeLast()
            state[name] = true
        }
        try visit(root)
    }
}
