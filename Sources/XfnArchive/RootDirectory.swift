#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open directory that everything is written beneath. Every path is walked one component at a
/// time with `openat(O_NOFOLLOW|O_DIRECTORY)`, so a symlink anywhere in a path stops the walk
/// instead of being followed: a layer cannot plant `link -> /etc` and then write `link/passwd`.
final class RootDirectory {
    enum WalkError: Error {
        /// The component at this path is a symlink.
        case symlink(String)
        /// The component at this path exists but is not a directory.
        case notADirectory(String)
        /// The component at this path does not exist (and the walk was not allowed to create it).
        case missing(String)
        case system(SystemCallError)
    }

    let fd: Int32
    /// The most recently opened directory; tar entries come grouped by directory, so most lookups
    /// hit this and cost no system call at all.
    private var cached: (components: [String], fd: Int32)?

    init(path: String) throws(SystemCallError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError(operation: "open", path: path, code: errno) }
        self.fd = fd
    }

    deinit {
        if let cached { close(cached.fd) }
        close(fd)
    }

    /// Forgets the cached directory. Called after anything is removed, since the cached directory
    /// may have been among the removed.
    func invalidate() {
        if let cached { close(cached.fd) }
        cached = nil
    }

    /// Forgets the cached directory if it is `components` or lies beneath it: called when that
    /// path is removed, so a later lookup cannot land in the removed directory.
    func invalidate(under components: [String]) {
        if let cached, cached.components.starts(with: components) { invalidate() }
    }

    /// The directory `path` is in, as a descriptor owned by this object and valid until the next
    /// call. Missing directories are created (mode 0755) when `create` is set and reported to
    /// `created`.
    func parent(of path: RootPath, create: Bool, created: (String) -> Void = { _ in }) throws(WalkError) -> Int32 {
        try directory(path.parent.components, create: create, created: created)
    }

    /// The directory at `components`, owned by this object (see `parent(of:)`).
    func directory(_ components: [String], create: Bool, created: (String) -> Void = { _ in }) throws(WalkError) -> Int32 {
        if components.isEmpty { return fd }
        var start = fd
        var startIndex = 0
        if let cached, cached.components.count <= components.count,
           components.starts(with: cached.components) {
            if cached.components.count == components.count { return cached.fd }
            start = cached.fd
            startIndex = cached.components.count
        }
        let opened = try walk(from: start, components, startIndex: startIndex, create: create, created: created)
        invalidate()
        cached = (components, opened)
        return opened
    }

    /// Opens the directory at `components` as a new descriptor the caller must close. Used when two
    /// directories are needed at once (a hardlink's target and the link).
    func openDirectory(_ components: [String]) throws(WalkError) -> Int32 {
        if components.isEmpty {
            let copy = dup(fd)
            guard copy >= 0 else { throw .system(SystemCallError(operation: "dup", path: ".", code: errno)) }
            return copy
        }
        return try walk(from: fd, components, startIndex: 0, create: false, created: { _ in })
    }

    /// Walks `components[startIndex...]` from `start`; returns a new descriptor for the last one.
    private func walk(from start: Int32, _ components: [String], startIndex: Int, create: Bool,
                      created: (String) -> Void) throws(WalkError) -> Int32 {
        var current = start
        var owned: Int32 = -1
        for index in startIndex..<components.count {
            let name = components[index]
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, create {
                if mkdirat(current, name, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    if owned >= 0 { close(owned) }
                    throw .system(SystemCallError(operation: "mkdir", path: Self.join(components, upTo: index), code: code))
                }
                created(Self.join(components, upTo: index))
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let code = errno
                let failure = Self.classify(code, parent: current, name: name, path: Self.join(components, upTo: index))
                if owned >= 0 { close(owned) }
                throw failure
            }
            if owned >= 0 { close(owned) }
            owned = next
            current = next
        }
        return owned
    }

    private static func classify(_ code: Int32, parent: Int32, name: String, path: String) -> WalkError {
        switch code {
        case ENOENT:
            return .missing(path)
        case ELOOP, ENOTDIR:
            var info = stat()
            if fstatat(parent, name, &info, AT_SYMLINK_NOFOLLOW) == 0, isSymlinkMode(info.st_mode) {
                return .symlink(path)
            }
            return .notADirectory(path)
        default:
            return .system(SystemCallError(operation: "open", path: path, code: code))
        }
    }

    private static func join(_ components: [String], upTo index: Int) -> String {
        components[...index].joined(separator: "/")
    }
}
