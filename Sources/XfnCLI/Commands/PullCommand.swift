import ArgumentParser
import Foundation
import XfnCore
import XfnOCI
import XfnPackage

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull packages into the cache and print each pinned reference.",
        discussion: """
            Each reference is resolved, its manifest and blobs fetched and verified, and
            REFERENCE@sha256:DIGEST printed on stdout, ready to pin in a Function or Provider.
            What is already cached is not fetched again; a cached digest reference makes no request.

            Examples:
              xfn pull xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0
              xfn pull --plain-http 127.0.0.1:5000 127.0.0.1:5000/lab/function-demo:v1
              xfn pull --offline ghcr.io/acme/configuration-platform@sha256:…
              xfn pull --with-dependencies ghcr.io/acme/configuration-platform:v1.2.0
              xfn pull --unpack xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions

    @Option(name: .shortAndLong, help: "Output format: text (one pinned reference per line) or json.")
    var output: OutputFormat = .text

    @Flag(name: .long, help: "Also pull every package the given ones depend on (spec.dependsOn, followed through the whole graph).")
    var withDependencies = false

    @Flag(name: .long, help: "Unpack each image's layers into the cache's rootfs/ for running it as a function.")
    var unpack = false

    @Argument(help: ArgumentHelp("Fully-qualified references: host/path:tag or host/path@sha256:digest.", valueName: "reference"))
    var references: [String]

    mutating func validate() throws {
        guard !references.isEmpty else { throw ValidationError("name at least one reference to pull") }
    }

    func run() async throws {
        let parsed = try references.map { try Reference(parsing: $0) }
        let context = try CommandContext(global: global, credentials: credentials)
        await context.startVerboseLog()
        let showProgress = !global.quiet && Terminal.standardError.isInteractive
        var results: [Puller.Result] = []
        for reference in parsed {
            let renderer = showProgress ? ProgressRenderer(terminal: .standardError, title: reference.description) : nil
            let puller = Puller(registry: context.registry, store: context.store, progress: renderer?.handler)
            let options = Puller.Options(platform: global.selectedPlatform, offline: global.offline)
            let pulled: [Puller.Result]
            do {
                pulled = try await pullOne(reference, puller: puller, store: context, options: options)
            } catch {
                renderer?.finish()
                throw error
            }
            renderer?.finish()
            results += pulled
            if output == .text {
                for result in pulled { Terminal.standardOutput.write(Self.pinned(result) + "\n") }
            }
        }
        if output == .json {
            let entries: [Value] = results.map { result in
                [
                    "reference": .string(result.reference.description),
                    "pinned": .string(Self.pinned(result)),
                    "digest": .string(result.digest.description),
                    "manifest": .string(result.manifestDigest.description),
                    "downloadedBlobs": .int(Int64(result.downloadedBlobs)),
                    "cachedBlobs": .int(Int64(result.cachedBlobs)),
                ]
            }
            Terminal.standardOutput.write(ValueJSON.serialize(.array(entries)) + "\n")
        }
    }

    /// The reference (and with --with-dependencies its dependencies, root first), unpacked if asked.
    private func pullOne(_ reference: Reference, puller: Puller, store context: CommandContext, options: Puller.Options) async throws -> [Puller.Result] {
        var results: [Puller.Result]
        if withDependencies {
            let resolver = DependencyResolver(puller: puller, loader: PackageLoader(store: context.store), options: options)
            results = try await resolver.resolve(reference).map(\.pulled)
        } else {
            results = [try await puller.pull(reference, options: options)]
        }
        if unpack {
            let result = results[0]
            let filesystem = try await FunctionFilesystem.unpack(manifestDigest: result.manifestDigest, manifest: result.manifest, store: context.store)
            if !global.quiet { Terminal.standardError.write("xfn: unpacked \(result.reference) into \(filesystem.rootfs)\n") }
        }
        return results
    }

    /// The reference as given, pinned: `host/path:tag@sha256:…`.
    static func pinned(_ result: Puller.Result) -> String {
        result.reference.digest != nil ? result.reference.description : "\(result.reference.description)@\(result.digest)"
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
