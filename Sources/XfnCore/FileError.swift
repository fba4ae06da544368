import Foundation

/// A file-system call that failed, with the path and the system's reason.
public struct FileError: XfnError {
    public let path: String
    public let operation: String
    public let code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var message: String { "cannot \(operation) \(path): \(String(cString: strerror(code)))" }
    public var hint: String? {
        switch code {
        case EACCES, EPERM: "check the permissions of \(path) and its parent directories"
        case ENOSPC: "the disk is full; free space or point --cache-dir elsewhere"
        default: nil
        }
    }
}
