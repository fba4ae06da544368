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
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions

    @Option(name: .shortAndLong, help: "Output format: text (one pinned reference per line) or json.")
    var output: OutputFormat = .text

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
            let result: Puller.Result
            do { result = try await puller.pull(reference, options: options) } catch {
                renderer?.finish()
                throw error
            }
            renderer?.finish()
            results.append(result)
            if output == .text {
                Terminal.standardOutput.write(Self.pinned(result) + "\n")
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

    /// The reference as given, pinned: `host/path:tag@sha256:…`.
    static func pinned(_ result: Puller.Result) -> String {
        result.reference.digest != nil ? result.reference.description : "\(result.reference.description)@\(result.digest)"
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
