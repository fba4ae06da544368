import ArgumentParser
import Foundation
import XfnArchive
import XfnCore

/// Entry points to single stages, for benchmarks and bug reports; hidden from help.
struct DebugCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug", abstract: "Run one stage of xfn on its own.", shouldDisplay: false,
        subcommands: [Unpack.self])

    struct Unpack: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unpack", abstract: "Unpack layer files, lowest first, into a new directory.")

        @Option(name: .long, help: "A layer file (tar, tar+gzip or tar+zstd); repeat in order.") var layer: [String]
        @Option(name: .long, help: "The directory to create.") var into: String

        func run() async throws {
            guard !layer.isEmpty else { throw ValidationError("give at least one --layer") }
            let outcome = try await LayerUnpacker.unpack(layer.map { LayerFile(path: $0) }, into: into)
            if case .alreadyPresent = outcome {
                throw ValidationError("\(into) already exists")
            }
        }
    }
}
