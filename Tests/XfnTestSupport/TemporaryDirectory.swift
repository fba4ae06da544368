import Foundation
import XfnCore

/// A fresh directory under the system temporary directory, removed by `remove()` or when the last
/// reference goes away, so a failing test still leaves nothing behind.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    public init(prefix: String = "xfn-test") throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else {
            throw FileError(path: "\(base)/\(prefix)-XXXXXX", operation: "create temporary directory", code: errno)
        }
        path = String(cString: made)
    }

    deinit { remove() }

    /// Deletes the directory and everything in it; calling it again does nothing.
    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `path/component`, creating nothing.
    public func appending(_ component: String) -> String { "\(path)/\(component)" }

    /// Creates (with parents) and returns `path/component`.
    @discardableResult
    public func subdirectory(_ component: String) throws -> String {
        let sub = appending(component)
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        return sub
    }

    /// Writes `contents` to `path/component` and returns the file's path.
    @discardableResult
    public func write(_ contents: String, to component: String) throws -> String {
        try write(Data(contents.utf8), to: component)
    }

    @discardableResult
    public func write(_ contents: Data, to component: String) throws -> String {
        let file = appending(component)
        let parent = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Runs `body` with a new directory and removes it afterwards, whether `body` throws or not.
    public static func with<T>(
        prefix: String = "xfn-test", _ body: (TemporaryDirectory) async throws -> T
    ) async throws -> T {
        let directory = try TemporaryDirectory(prefix: prefix)
        defer { directory.remove() }
        return try await body(directory)
    }
}
