import Foundation
import Testing

/// Reference data kept next to the repository (`<repo>/../shared`): a corpus of real Crossplane YAML.
/// Tests that need it fail with a clear message when it is missing.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    static func directory(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            Issue.record("shared test data missing: \(url.path) (expected next to the repository as ../shared/\(relative))")
            throw CancellationError()
        }
        return url
    }
}
