#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removal that never follows a symlink: directories are opened with `O_NOFOLLOW` and emptied
/// through their own descriptors, so a link inside the tree cannot redirect a delete outside it.
enum TreeRemoval {
    /// Removes `name` in `parent`, recursively if it is a directory. Returns false if it did not exist.
    @discardableResult
    static func remove(_ name: String, in parent: Int32, path: String) throws(SystemCallError) -> Bool {
        if unlinkat(parent, name, 0) == 0 { return true }
        let code = errno
        switch code {
        case ENOENT:
            return false
        case EISDIR, EPERM:
            // Linux says EISDIR for a directory; POSIX allows EPERM. Either way, empty it first.
            let directory = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard directory >= 0 else {
                throw SystemCallError(operation: "remove", path: path, code: errno == ENOTDIR ? code : errno)
            }
            defer { close(directory) }
            try removeChildren(of: directory, path: path, keep: { _ in false })
            guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else {
                throw SystemCallError(operation: "remove directory", path: path, code: errno)
            }
            return true
        default:
            throw SystemCallError(operation: "remove", path: path, code: code)
        }
    }

    /// Removes every child of `directory` for which `keep` (given the child's path) returns false.
    static func removeChildren(of directory: Int32, path: String, keep: (String) -> Bool) throws(SystemCallError) {
        for name in try childNames(of: directory, path: path) {
            let childPath = path.isEmpty ? name : path + "/" + name
            if keep(childPath) { continue }
            try remove(name, in: directory, path: childPath)
        }
    }

    static func childNames(of directory: Int32, path: String) throws(SystemCallError) -> [String] {
        // fdopendir takes ownership of its descriptor, so give it a fresh one.
        let listing = openat(directory, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard listing >= 0, let stream = fdopendir(listing) else {
            let code = errno
            throw SystemCallError(operation: "list", path: path.isEmpty ? "." : path, code: code)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes the tree at an absolute or working-directory-relative path.
    static func remove(atPath path: String) throws(SystemCallError) {
        var parentPath = "."
        var name = path
        if let slash = path.lastIndex(of: "/") {
            parentPath = slash == path.startIndex ? "/" : String(path[..<slash])
            name = String(path[path.index(after: slash)...])
        }
        let parent = open(parentPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard parent >= 0 else { throw SystemCallError(operation: "open", path: parentPath, code: errno) }
        defer { close(parent) }
        try remove(name, in: parent, path: path)
    }
}
