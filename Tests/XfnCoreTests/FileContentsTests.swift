import Foundation
import Testing
import XfnCore

@Suite struct FileContentsTests {
    private func withFile<T>(_ bytes: [UInt8], _ body: (String) throws -> T) throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("xfn-contents-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try body(path)
    }

    private func pattern(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }

    @Test(arguments: [0, 1, 4096, 200_000]) func readsWholeFile(size: Int) throws {
        let bytes = pattern(size)
        #expect(try withFile(bytes) { try FileContents.read(atPath: $0) } == bytes)
    }

    /// A file longer than its measured size (it grew after `fstat`) is read to its real end,
    /// across more than one chunk.
    @Test(arguments: [0, 10, 150_000]) func readsPastAStaleSize(staleSize: Int) throws {
        let bytes = pattern(150_001 + 70_000)
        let read = try withFile(bytes) { path in
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            return try FileContents.read(descriptor: descriptor, size: staleSize, path: path)
        }
        #expect(read == bytes)
    }

    /// A file shorter than its measured size yields what is there.
    @Test func readsUpToARealEndBeforeTheSize() throws {
        let bytes = pattern(100)
        let read = try withFile(bytes) { path in
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            return try FileContents.read(descriptor: descriptor, size: 5000, path: path)
        }
        #expect(read == bytes)
    }

    @Test func namesTheFileItCannotRead() {
        let error = #expect(throws: FileError.self) { try FileContents.read(atPath: "/nonexistent/xfn-missing") }
        #expect(error?.message == "cannot read /nonexistent/xfn-missing: No such file or directory")
    }
}
