import Foundation

/// Reference data kept next to the repository (`<repo>/../shared`): a corpus of real Crossplane YAML and
/// third-party conformance suites. Tests that need it fail with a message naming what is missing.
public enum SharedData {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared")

    public static func directory(_ relative: String) throws -> URL {
        let url = root.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TestSupportError("shared test data missing: \(url.path) (expected next to the repository as ../shared/\(relative))")
        }
        return url
    }
}
