import ArgumentParser
import Foundation
import XfnCore
import XfnOCI
import XfnPackage

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a package: manifest, layers, metadata, dependencies and the kinds it defines.",
        discussion: """
            The package is pulled into the cache first (nothing is fetched when it is already there).

            Examples:
              xfn inspect xpkg.crossplane.io/crossplane-contrib/provider-kubernetes:v0.15.0
              xfn inspect -o json ghcr.io/acme/configuration-platform:v1.2.0 | jq .kinds
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions
    @Option(name: .shortAndLong, help: "Output format: text or json.") var output: OutputFormat = .text
    @Argument(help: "A fully-qualified package reference.") var reference: String

    func run() async throws {
        let parsed = try Reference(parsing: reference)
        let context = try CommandContext(global: global, credentials: credentials)
        await context.startVerboseLog()
        let puller = Puller(registry: context.registry, store: context.store)
        let result = try await puller.pull(parsed, options: Puller.Options(platform: global.selectedPlatform, offline: global.offline))
        let contents = try await PackageLoader(store: context.store).contents(
            manifestDigest: result.manifestDigest, manifest: result.manifest, name: parsed.description)
        let platforms = try platformsOfIndex(result.digest, store: context)
        switch output {
        case .json: Terminal.standardOutput.write(ValueJSON.serialize(json(result, contents, platforms)) + "\n")
        case .text: Terminal.standardOutput.write(text(result, contents, platforms))
        }
    }

    private func platformsOfIndex(_ digest: Digest, store context: CommandContext) throws -> [String] {
        guard case .index(let index) = try ManifestDocument.decode(try context.store.data(of: digest), declaredMediaType: nil) else { return [] }
        return index.manifests.compactMap { $0.platform?.description }
    }

    private func text(_ result: Puller.Result, _ contents: PackageContents, _ platforms: [String]) -> String {
        let meta = contents.meta
        var lines = [
            "Reference:   \(result.reference)",
            "Digest:      \(result.digest)",
            "Manifest:    \(result.manifestDigest)",
        ]
        if !platforms.isEmpty { lines.append("Platforms:   \(platforms.joined(separator: ", "))") }
        lines.append("Package:     \(meta.kind.rawValue) \(meta.name) (\(meta.apiVersion))")
        if let crossplane = meta.crossplaneVersion { lines.append("Crossplane:  \(crossplane)") }
        if !meta.capabilities.isEmpty { lines.append("Capabilities: \(meta.capabilities.joined(separator: ", "))") }
        lines.append("Layers:")
        for layer in result.manifest.layers {
            let base = layer.annotations?[Descriptor.xpkgAnnotation] == "base" ? "  (package base)" : ""
            lines.append("  \(layer.digest.short)  \(ByteFormat.text(layer.size).padding(toLength: 9, withPad: " ", startingAt: 0))  \(layer.mediaType)\(base)")
        }
        lines.append("Dependencies:" + (meta.dependencies.isEmpty ? " none" : ""))
        for dependency in meta.dependencies {
            lines.append("  \(dependency.kind?.rawValue ?? "Package") \(dependency.package) \(dependency.version ?? "(any version)")")
        }
        let kinds = contents.definedKinds
        lines.append("Defines:" + (kinds.isEmpty ? " nothing" : ""))
        for kind in kinds {
            let claim = kind.claimKind.map { ", claim \($0)" } ?? ""
            lines.append("  \(kind.group)/\(kind.versions.joined(separator: ",")) \(kind.kind)\(claim)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func json(_ result: Puller.Result, _ contents: PackageContents, _ platforms: [String]) -> Value {
        let meta = contents.meta
        return [
            "reference": .string(result.reference.description),
            "digest": .string(result.digest.description),
            "manifest": .string(result.manifestDigest.description),
            "platforms": .array(platforms.map { .string($0) }),
            "layers": .array(result.manifest.layers.map { layer in
                [
                    "digest": .string(layer.digest.description), "size": .int(layer.size), "mediaType": .string(layer.mediaType),
                    "base": .bool(layer.annotations?[Descriptor.xpkgAnnotation] == "base"),
                ]
            }),
            "package": [
                "apiVersion": .string(meta.apiVersion), "kind": .string(meta.kind.rawValue), "name": .string(meta.name),
                "crossplaneVersion": meta.crossplaneVersion.map { .string($0) } ?? .null,
                "capabilities": .array(meta.capabilities.map { .string($0) }),
                "dependencies": .array(meta.dependencies.map { dependency in
                    [
                        "kind": dependency.kind.map { .string($0.rawValue) } ?? .null, "package": .string(dependency.package),
                        "version": dependency.version.map { .string($0) } ?? .null,
                    ]
                }),
            ],
            "kinds": .array(contents.definedKinds.map { kind in
                [
                    "group": .string(kind.group), "kind": .string(kind.kind), "versions": .array(kind.versions.map { .string($0) }),
                    "definedBy": .string(kind.definedBy), "claimKind": kind.claimKind.map { .string($0) } ?? .null,
                ]
            }),
        ]
    }
}
