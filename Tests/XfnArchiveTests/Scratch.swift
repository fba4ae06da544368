import Foundation

/// A temporary directory for one test, removed when the test is done with it.
final class Scratch {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/xfn-archive-" + UUID().uuidString.lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func sub(_ name: String) -> String { path + "/" + name }

    func makeDirectory(_ name: String) throws -> String {
        let directory = sub(name)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Names in `directory`, sorted; empty when it does not exist.
    func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}
