import ArgumentParser
import Foundation
import XfnCore
import XfnStore

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Look after the cache: what it holds, and whether every blob is intact.",
        discussion: "The cache is an OCI image layout; `skopeo inspect oci:CACHE:REFERENCE` reads it too.",
        subcommands: [List.self, Verify.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List cached references and what they resolved to.")

        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "Output format: text or json.") var output: OutputFormat = .text

        func run() async throws {
            let store = try ContentStore(root: global.cacheDirectory)
            let records = try store.records()
            if output == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(records), as: UTF8.self))
                return
            }
            guard !records.isEmpty else {
                if !global.quiet { Terminal.standardError.write("the cache at \(store.root) holds no references\n") }
                return
            }
            let formatter = ISO8601DateFormatter()
            let rows = records.map { [$0.reference, $0.digest.short, $0.platform, formatter.string(from: $0.resolvedAt)] }
            print(TextTable.render(header: ["REFERENCE", "DIGEST", "PLATFORM", "RESOLVED"], rows: rows), terminator: "")
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Re-hash every blob; remove any whose content does not match its digest.",
            discussion: "Exits 1 when something was removed; the next pull fetches it again.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try ContentStore(root: global.cacheDirectory)
            let report = try await BlockingIO.run { try store.verifyAll() }
            for digest in report.removed {
                Terminal.standardError.write("xfn: removed corrupt blob \(digest)\n")
            }
            for path in report.strays {
                Terminal.standardError.write("xfn: removed \(path), which is not named by a digest\n")
            }
            if !global.quiet {
                print("checked \(report.checked) blobs (\(ByteFormat.text(report.bytes))), removed \(report.removed.count)")
            }
            if !report.removed.isEmpty || !report.strays.isEmpty { throw ExitCode(ExitStatus.findings.rawValue) }
        }
    }
}

enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "   ")
        }.joined(separator: "\n") + "\n"
    }
}
