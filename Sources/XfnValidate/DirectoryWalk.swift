import Foundation
import XfnCore

/// A recursive listing with `readdir`, which names each entry's type: FileManager's enumerator
/// costs several times as much on a tree of thousands of files.
enum DirectoryWalk {
    /// Appends the paths of the non-directories below `root` (`root` joined with their relative
    /// path) whose extension, lower-cased, is in `extensions`. `.git` directories are skipped, and
    /// symbolic links to directories are not followed (a link to a file counts as the file).
    static func files(under root: String, extensions: Set<String>, into found: inout [String]) throws {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard let stream = opendir(root) else { throw FileError(path: root, operation: "list", code: errno) }
        walk(stream, directory: prefix, extensions: extensions, into: &found)
    }

    /// Reads and closes `stream`; `directory` ends with a slash. An unreadable subdirectory is
    /// passed over, as FileManager's enumerator does.
    private static func walk(_ stream: OpaquePointer, directory: String, extensions: Set<String>, into found: inout [String]) {
        var subdirectories: [String] = []
        while let entry = readdir(stream) {
            let type = entry.pointee.d_type
            let name: String? = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: 256) { bytes in
                    // "." and "..", passed over before a string is made of them.
                    if bytes[0] == UInt8(ascii: "."), bytes[1] == 0 || (bytes[1] == UInt8(ascii: ".") && bytes[2] == 0) { return nil }
                    return String(cString: bytes)
                }
            }
            guard let name else { continue }
            let path = directory + name
            switch Int32(type) {
            case Int32(DT_DIR):
                if name != ".git" { subdirectories.append(path) }
            case Int32(DT_UNKNOWN):
                // Some file systems do not say; ask, without following a link.
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                if status.st_mode & S_IFMT == S_IFDIR {
                    if name != ".git" { subdirectories.append(path) }
                } else if matches(name, extensions), isFile(path) {
                    found.append(path)
                }
            case Int32(DT_REG):
                if matches(name, extensions) { found.append(path) }
            default:
                if matches(name, extensions), isFile(path) { found.append(path) }
            }
        }
        closedir(stream)
        for subdirectory in subdirectories {
            guard let child = opendir(subdirectory) else { continue }
            walk(child, directory: subdirectory + "/", extensions: extensions, into: &found)
        }
    }

    /// Whether the path names something that exists and is not a directory, following links.
    private static func isFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFDIR
    }

    /// NSString's `pathExtension`, lower-cased: what follows the last dot, unless the name starts
    /// with that dot.
    static func matches(_ name: String, _ extensions: Set<String>) -> Bool {
        let bytes = name.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot != bytes.startIndex else { return extensions.contains("") }
        let suffix = bytes[bytes.index(after: dot)...]
        // Most names are ASCII, compared without making a lower-cased copy of their extension.
        guard suffix.allSatisfy({ $0 < 0x80 }) else { return extensions.contains(String(name[name.index(after: dot)...]).lowercased()) }
        return extensions.contains { wanted in
            wanted.utf8.count == suffix.count && zip(wanted.utf8, suffix).allSatisfy { $0 == Self.asciiLowercased($1) }
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
