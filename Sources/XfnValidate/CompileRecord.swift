import Foundation
import Synchronization
import XfnCore
import XfnSchema

/// The schema cache lines whose schemas compiled without error, by checksum, so a later run can
/// compile them lazily (only the nodes its resources reach) and still report a broken schema as a
/// whole compilation would: a schema not in the record is compiled whole, and recorded if it
/// compiles. The record names the compiler revision it was made with; another revision's record
/// is not trusted.
///
/// One file, `compiled.index`: a header line, then one checksum a line. Rewritten whole (through a
/// temporary file and a rename) with what is on disk then, so concurrent runs lose nothing but
/// what they race on, which is merely compiled whole again.
final class CompileRecord: Sendable {
    static var header: String { "xfn compiled schemas \(CompiledSchema.compilerRevision)" }

    let path: String
    private struct State {
        var loaded = false
        var known: Set<String> = []
        var added: Set<String> = []
    }
    private let state = Mutex(State())

    init(path: String) {
        self.path = path
    }

    func contains(_ checksum: String) -> Bool {
        state.withLock { state in
            if !state.loaded {
                state.known = Self.read(path)
                state.loaded = true
            }
            return state.known.contains(checksum) || state.added.contains(checksum)
        }
    }

    func add(_ checksum: String) {
        state.withLock { state in
            if !state.known.contains(checksum) { state.added.insert(checksum) }
        }
    }

    var hasAdditions: Bool { state.withLock { !$0.added.isEmpty } }

    /// Writes what this run added, merged with the file as it is now; nothing when nothing was added.
    func save() throws {
        let added = state.withLock { state in
            let added = state.added
            state.known.formUnion(added)
            state.added = []
            return added
        }
        guard !added.isEmpty else { return }
        let all = Self.read(path).union(added)
        var text = Self.header + "\n"
        for checksum in all.sorted() { text += checksum + "\n" }
        try CacheFile.write(Array(text.utf8), to: path)
    }

    /// The checksums in the file; none when it is absent, of another revision, or damaged (a
    /// line that is not a checksum).
    static func read(_ path: String) -> Set<String> {
        guard let bytes = try? FileContents.read(atPath: path) else { return [] }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count >= 2, lines.last?.isEmpty == true, lines[0].elementsEqual(header.utf8) else { return [] }
        var result: Set<String> = []
        result.reserveCapacity(lines.count)
        for line in lines.dropFirst().dropLast() {
            guard line.count == 64, line.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return [] }
            result.insert(String(decoding: line, as: UTF8.self))
        }
        return result
    }
}
