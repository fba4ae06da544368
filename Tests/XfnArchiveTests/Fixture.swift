import Foundation
import Testing
import XfnCore
import XfnArchive

/// A scratch area laid out for extraction tests:
///   layers/     generated layer blobs
///   sentinel/   a directory outside the root that no layer may touch (holds `file`)
///   work/       the destination `work/rootfs` is unpacked beside its temporary twin
final class Fixture {
    let scratch: Scratch
    let layers: String
    let sentinel: String
    let work: String
    static let sentinelContents = "sentinel contents\n"

    init() throws {
        scratch = try Scratch()
        layers = try scratch.makeDirectory("layers")
        sentinel = try scratch.makeDirectory("sentinel")
        work = try scratch.makeDirectory("work")
        try Self.sentinelContents.write(toFile: sentinel + "/file", atomically: false, encoding: .utf8)
    }

    var destination: String { work + "/rootfs" }

    func layer(_ name: String, compression: TarWriter.Compression = .gzip,
               _ body: (TarWriter) throws -> Void) throws -> LayerFile {
        let path = try makeLayer(layers + "/" + name, compression: compression, body)
        return LayerFile(path: path, name: name)
    }

    func unpack(_ stack: [LayerFile], options: ExtractionOptions = ExtractionOptions(durable: false),
                progress: (@Sendable (ProgressEvent) -> Void)? = nil) async throws -> ExtractionSummary {
        let outcome = try await LayerUnpacker.unpack(stack, into: destination, options: options, progress: progress)
        guard case .unpacked(let summary) = outcome else {
            throw TarWriter.Failure(description: "expected a fresh unpack, got \(outcome)")
        }
        return summary
    }

    /// Unpacks `stack`, expects an `ArchiveError` of `kind` whose message names `layer` and `entry`,
    /// and checks that nothing was left behind or written outside the root.
    @discardableResult
    func expectRejected(_ stack: [LayerFile], kind: ArchiveError.Kind, layer: String, entry: String?,
                        options: ExtractionOptions = ExtractionOptions(durable: false),
                        sourceLocation: SourceLocation = #_sourceLocation) async -> ArchiveError? {
        let error = await #expect(throws: ArchiveError.self, sourceLocation: sourceLocation) {
            _ = try await self.unpack(stack, options: options)
        }
        #expect(error?.kind == kind, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.message.contains("layer \(layer)") == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        if let entry {
            #expect(error?.message.contains("entry \"\(entry)\"") == true, "\(String(describing: error))",
                    sourceLocation: sourceLocation)
        }
        expectNothingLeft(sourceLocation: sourceLocation)
        return error
    }

    /// No destination, no temporary tree, nothing that escaped into `work/` or `sentinel/`.
    func expectNothingLeft(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(scratch.listing(work) == [], "work/ holds \(scratch.listing(work))", sourceLocation: sourceLocation)
        expectSentinelUntouched(sourceLocation: sourceLocation)
    }

    func expectSentinelUntouched(sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(scratch.listing(sentinel) == ["file"], sourceLocation: sourceLocation)
        let contents = try? String(contentsOfFile: sentinel + "/file", encoding: .utf8)
        #expect(contents == Self.sentinelContents, sourceLocation: sourceLocation)
        #expect(scratch.listing(scratch.path) == ["layers", "sentinel", "work"], sourceLocation: sourceLocation)
    }

    func contents(_ relative: String) throws -> String {
        try String(contentsOfFile: destination + "/" + relative, encoding: .utf8)
    }

    func lstatMode(_ relative: String) -> UInt32? {
        var info = stat()
        guard lstat(destination + "/" + relative, &info) == 0 else { return nil }
        return UInt32(info.st_mode)
    }

    func exists(_ relative: String) -> Bool { lstatMode(relative) != nil }
}
