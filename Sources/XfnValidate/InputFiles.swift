import Foundation
import XfnYAML
import XfnCore

/// Where documents come from: a file, or standard input (`-`).
public enum InputLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case standardInput

    /// The name used in findings and annotations.
    public var description: String {
        switch self {
        case .file(let path): path
        case .standardInput: "<stdin>"
        }
    }

    /// Expands arguments: files as given, directories walked recursively for files whose
    /// extension is in `extensions` (sorted by path so output order is stable), `-` as standard
    /// input (once, however often it is named). `.git` directories are skipped.
    public static func expand(_ arguments: [String], extensions: Set<String>) throws -> [InputLocation] {
        var result: [InputLocation] = []
        var seen: Set<InputLocation> = []
        func add(_ location: InputLocation) {
            if seen.insert(location).inserted { result.append(location) }
        }
        let manager = FileManager.default
        for argument in arguments {
            if argument == "-" {
                add(.standardInput)
                continue
            }
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                throw ValidateError("cannot read \(argument): no such file or directory", exitCode: .usage)
            }
            guard isDirectory.boolValue else {
                add(.file(argument))
                continue
            }
            var found: [String] = []
            try DirectoryWalk.files(under: argument, extensions: extensions, into: &found)
            for path in found.sorted() { add(.file(path)) }
        }
        return result
    }

    /// Reads the whole input; blocking, so callers run it off the cooperative pool.
    func readContents(standardInput: @Sendable () throws -> Data) throws -> Data {
        try readContentsAndStamp(standardInput: standardInput).contents
    }

    /// The contents and, for a regular file, its stamp once read, taken from the open file rather
    /// than by looking its path up again.
    func readContentsAndStamp(standardInput: @Sendable () throws -> Data) throws -> (contents: Data, stamp: FileStamp?) {
        switch self {
        case .standardInput:
            return (try standardInput(), nil)
        case .file(let path):
            let (bytes, status) = try FileContents.readWithStatus(atPath: path)
            return (Data(bytes), FileStamp(regularFile: status))
        }
    }
}
