#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XfnCore

/// Applies layers, in order, to a root directory with OCI changeset semantics: later entries win,
/// `.wh.NAME` removes NAME from lower layers, `.wh..wh..opq` empties a directory of lower content.
/// Nothing is ever created through a symlink, devices and FIFOs are skipped, setuid/setgid/sticky
/// bits are dropped.
final class LayerApplier {
    private struct DirectoryMetadata {
        var mode: UInt32
        var modificationTime: timespec?
        var owner: (uid: uid_t, gid: gid_t)?
    }

    private let root: RootDirectory
    private let options: ExtractionOptions
    private let cancellation: CancellationFlag?
    private let progress: ProgressHandler?
    private let applyOwnership: Bool
    private let runningAsRoot: Bool

    private(set) var summary = ExtractionSummary()
    private var declaredBytes: Int64 = 0
    /// Directory modes and times are applied once every layer is in: writing a child changes its
    /// directory's mtime, and a read-only directory mode would stop later entries being written.
    private var directories: [String: DirectoryMetadata] = [:]
    /// Paths this layer created (and their ancestors); whiteouts and opaque markers leave them alone
    /// because they only apply to lower layers.
    private var upperPaths: Set<String> = []
    /// Compressed bytes of the current layer already reported as progress.
    private var reportedBytes: Int64 = 0

    /// Report progress at most every this many compressed bytes.
    private static let progressStep: Int64 = 1 << 20

    init(root: RootDirectory, options: ExtractionOptions, cancellation: CancellationFlag?, progress: ProgressHandler?) {
        self.root = root
        self.options = options
        self.cancellation = cancellation
        self.progress = progress
        self.runningAsRoot = geteuid() == 0
        self.applyOwnership = runningAsRoot && options.ownership == .preserveWhenRoot
    }

    func apply(_ layer: LayerFile) throws {
        let reader = try ArchiveReader(path: layer.path, layer: layer.name)
        upperPaths.removeAll(keepingCapacity: true)
        summary.layers += 1
        progress?(.started(id: layer.name, label: layer.name, totalBytes: Self.fileSize(layer.path)))
        reportedBytes = 0
        while let entry = try reader.nextEntry() {
            if cancellation?.isCancelled == true {
                throw ArchiveError(.cancelled, layer: layer.name, detail: "extraction was cancelled")
            }
            let rawPath = entry.path
            try checkLimits(entry, layer: layer.name, rawPath: rawPath)
            try applyEntry(entry, rawPath: rawPath, reader: reader, layer: layer.name)
            reportProgress(reader)
        }
        if let progress {
            let consumed = reader.compressedBytesRead
            if consumed > reportedBytes { progress(.advanced(id: layer.name, bytes: consumed - reportedBytes)) }
            progress(.finished(id: layer.name, cached: false))
        }
    }

    /// Reports compressed bytes consumed since the last report, once there are enough of them.
    private func reportProgress(_ reader: ArchiveReader) {
        guard let progress else { return }
        let consumed = reader.compressedBytesRead
        if consumed - reportedBytes >= Self.progressStep {
            progress(.advanced(id: reader.layer, bytes: consumed - reportedBytes))
            reportedBytes = consumed
        }
    }

    /// Gives directories their final modes, owners and times. Changing a directory's metadata
    /// does not touch its parent's mtime, so any order works; a depth-first order lets each lookup
    /// start from the cached parent instead of walking from the root.
    func finish() throws {
        // Sorting with "/" mapped below every other character puts each directory right after
        // its parent.
        let ordered = directories
            .map { (key: $0.key.replacing("/", with: "\u{1}"), path: $0.key, metadata: $0.value) }
            .sorted { $0.key < $1.key }
        for (_, path, metadata) in ordered {
            let components = path.split(separator: "/").map(String.init)
            let fd: Int32
            do {
                fd = try root.directory(components, create: false)
            } catch {
                // Removed or replaced by a later layer; nothing to do.
                continue
            }
            if let owner = metadata.owner, fchown(fd, owner.uid, owner.gid) != 0 {
                throw ioError(SystemCallError(operation: "chown", path: path, code: errno), layer: nil, entry: nil)
            }
            if fchmod(fd, mode_t(metadata.mode)) != 0 {
                throw ioError(SystemCallError(operation: "chmod", path: path, code: errno), layer: nil, entry: nil)
            }
            if let time = metadata.modificationTime {
                var times = [time, time]
                if futimens(fd, &times) != 0 {
                    throw ioError(SystemCallError(operation: "set times of", path: path, code: errno), layer: nil, entry: nil)
                }
            }
        }
    }

    // MARK: - Entries

    private func checkLimits(_ entry: ArchiveEntryView, layer: String, rawPath: String) throws {
        summary.entries += 1
        if summary.entries > options.limits.maxEntries {
            throw ArchiveError(.decompressionBomb, layer: layer, entry: rawPath,
                               detail: "decompression bomb: more than \(options.limits.maxEntries) entries",
                               hint: ArchiveError.bombHint())
        }
        let size = max(entry.size, 0)
        let (total, overflow) = declaredBytes.addingReportingOverflow(size)
        if overflow || total > options.limits.maxTotalBytes {
            throw ArchiveError(.decompressionBomb, layer: layer, entry: rawPath,
                               detail: "decompression bomb: the layers declare more than \(options.limits.maxTotalBytes) bytes (this entry alone declares \(size))",
                               hint: ArchiveError.bombHint())
        }
        declaredBytes = total
    }

    private func applyEntry(_ entry: ArchiveEntryView, rawPath: String, reader: ArchiveReader, layer: String) throws {
        let path = try parse(rawPath, layer: layer, entry: rawPath)
        if path.isRoot { return }

        let name = path.name
        if name.hasPrefix(Whiteout.prefix) {
            try applyWhiteout(path, layer: layer, entry: rawPath)
            return
        }

        let kind = entry.kind
        switch kind {
        case .characterDevice, .blockDevice, .fifo, .socket:
            skip(kind, path: rawPath, layer: layer)
            return
        default:
            break
        }

        let parent: Int32
        do {
            parent = try root.parent(of: path, create: true, created: noteImplicitDirectory)
        } catch {
            throw walkError(error, layer: layer, entry: rawPath)
        }
        for ancestor in path.selfAndAncestors { upperPaths.insert(ancestor) }

        do {
            switch kind {
            case .directory:
                try makeDirectory(entry, path: path, in: parent)
            case .file:
                try writeFile(entry, path: path, in: parent, reader: reader, layer: layer, rawPath: rawPath)
            case .symlink:
                try makeSymlink(entry, path: path, in: parent)
            case .hardlink:
                try makeHardlink(entry, path: path, in: parent, layer: layer, rawPath: rawPath)
            case .characterDevice, .blockDevice, .fifo, .socket:
                break
            }
        } catch let error as SystemCallError {
            throw ioError(error, layer: layer, entry: rawPath)
        }
    }

    private func makeDirectory(_ entry: ArchiveEntryView, path: RootPath, in parent: Int32) throws {
        // Created owner-writable; the entry's own mode is applied in `finish`.
        if mkdirat(parent, path.name, 0o700) != 0 {
            let code = errno
            guard code == EEXIST else { throw SystemCallError(operation: "mkdir", path: path.description, code: code) }
            var info = stat()
            guard fstatat(parent, path.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw SystemCallError(operation: "stat", path: path.description, code: errno)
            }
            if !isDirectoryMode(info.st_mode) {
                try replaceExisting(path, in: parent)
                guard mkdirat(parent, path.name, 0o700) == 0 else {
                    throw SystemCallError(operation: "mkdir", path: path.description, code: errno)
                }
            }
        }
        summary.directories += 1
        directories[path.description] = DirectoryMetadata(
            mode: directoryMode(entry.permissions),
            modificationTime: entry.modificationTime,
            owner: owner(entry))
    }

    private func writeFile(_ entry: ArchiveEntryView, path: RootPath, in parent: Int32, reader: ArchiveReader,
                           layer: String, rawPath: String) throws {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(parent, path.name, flags, 0o600)
        if fd < 0, errno == EEXIST {
            try replaceExisting(path, in: parent)
            fd = openat(parent, path.name, flags, 0o600)
        }
        guard fd >= 0 else { throw SystemCallError(operation: "create", path: path.description, code: errno) }
        defer { close(fd) }

        var end: Int64 = 0
        try reader.forEachBlock(entry: rawPath) { block, offset in
            var written = 0
            while written < block.count {
                let result = pwrite(fd, block.baseAddress! + written, block.count - written, off_t(offset) + off_t(written))
                if result < 0 {
                    if errno == EINTR { continue }
                    throw SystemCallError(operation: "write", path: path.description, code: errno)
                }
                written += result
            }
            end = max(end, offset + Int64(block.count))
            summary.bytes += Int64(block.count)
            reportProgress(reader)
        }
        // A sparse file's trailing hole has no data block; the size still has to be right.
        if entry.size > end, ftruncate(fd, off_t(entry.size)) != 0 {
            throw SystemCallError(operation: "truncate", path: path.description, code: errno)
        }
        if let owner = owner(entry), fchown(fd, owner.uid, owner.gid) != 0 {
            throw SystemCallError(operation: "chown", path: path.description, code: errno)
        }
        if fchmod(fd, mode_t(fileMode(entry.permissions))) != 0 {
            throw SystemCallError(operation: "chmod", path: path.description, code: errno)
        }
        if let time = entry.modificationTime {
            var times = [time, time]
            if futimens(fd, &times) != 0 {
                throw SystemCallError(operation: "set times of", path: path.description, code: errno)
            }
        }
        summary.files += 1
    }

    private func makeSymlink(_ entry: ArchiveEntryView, path: RootPath, in parent: Int32) throws {
        // The target is stored verbatim, absolute or not: it is never followed while extracting, and
        // at run time the sandbox resolves it inside the root.
        let target = entry.symlinkTarget ?? ""
        if symlinkat(target, parent, path.name) != 0 {
            let code = errno
            guard code == EEXIST else { throw SystemCallError(operation: "create symlink", path: path.description, code: code) }
            try replaceExisting(path, in: parent)
            guard symlinkat(target, parent, path.name) == 0 else {
                throw SystemCallError(operation: "create symlink", path: path.description, code: errno)
            }
        }
        if let owner = owner(entry), fchownat(parent, path.name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) != 0 {
            throw SystemCallError(operation: "chown", path: path.description, code: errno)
        }
        if let time = entry.modificationTime {
            var times = [time, time]
            if utimensat(parent, path.name, &times, AT_SYMLINK_NOFOLLOW) != 0 {
                throw SystemCallError(operation: "set times of", path: path.description, code: errno)
            }
        }
        summary.symlinks += 1
    }

    private func makeHardlink(_ entry: ArchiveEntryView, path: RootPath, in parent: Int32, layer: String, rawPath: String) throws {
        let rawTarget = entry.hardlinkTarget ?? ""
        let target: RootPath
        do {
            target = try RootPath(archivePath: rawTarget)
        } catch .tooLong {
            throw ArchiveError(.pathTooLong, layer: layer, entry: rawPath,
                               detail: "hardlink target is longer than \(RootPath.maxLength) bytes")
        } catch {
            throw ArchiveError(.pathEscapes, layer: layer, entry: rawPath,
                               detail: "hardlink target \"\(rawTarget)\" is outside the root", hint: ArchiveError.unsafeHint())
        }
        if target.isRoot || target == path {
            throw ArchiveError(.badHardlink, layer: layer, entry: rawPath, detail: "hardlink target \"\(rawTarget)\" is not a file")
        }
        let targetParent: Int32
        do {
            targetParent = try root.openDirectory(target.parent.components)
        } catch RootDirectory.WalkError.missing {
            throw ArchiveError(.badHardlink, layer: layer, entry: rawPath,
                               detail: "hardlink target \"\(rawTarget)\" has not been extracted")
        } catch {
            throw walkError(error, layer: layer, entry: rawPath)
        }
        defer { close(targetParent) }
        var info = stat()
        guard fstatat(targetParent, target.name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            let code = errno
            if code == ENOENT {
                throw ArchiveError(.badHardlink, layer: layer, entry: rawPath,
                                   detail: "hardlink target \"\(rawTarget)\" has not been extracted")
            }
            throw SystemCallError(operation: "stat", path: target.description, code: code)
        }
        if isDirectoryMode(info.st_mode) {
            throw ArchiveError(.badHardlink, layer: layer, entry: rawPath, detail: "hardlink target \"\(rawTarget)\" is a directory")
        }
        // Flags 0: if the target is itself a symlink, link the symlink, never what it points to.
        if linkat(targetParent, target.name, parent, path.name, 0) != 0 {
            let code = errno
            guard code == EEXIST else { throw SystemCallError(operation: "link", path: path.description, code: code) }
            try replaceExisting(path, in: parent)
            guard linkat(targetParent, target.name, parent, path.name, 0) == 0 else {
                throw SystemCallError(operation: "link", path: path.description, code: errno)
            }
        }
        summary.hardlinks += 1
    }

    // MARK: - Whiteouts

    private func applyWhiteout(_ path: RootPath, layer: String, entry rawPath: String) throws {
        let name = path.name
        let directory = path.parent
        if name == Whiteout.opaqueMarker {
            guard let fd = try existingDirectory(directory, layer: layer, entry: rawPath) else { return }
            let upper = upperPaths
            do {
                try removeLower(in: fd, path: directory.description, upper: upper)
            } catch {
                throw ioError(error, layer: layer, entry: rawPath)
            }
            root.invalidate()
            summary.opaqueDirectories += 1
            return
        }
        if name.hasPrefix(Whiteout.metaPrefix) {
            // Other `.wh..wh.` names are aufs bookkeeping (hardlink directories); they carry nothing.
            return
        }
        let hidden = String(name.dropFirst(Whiteout.prefix.count))
        if hidden.isEmpty || hidden == "." || hidden == ".." {
            throw ArchiveError(.pathEscapes, layer: layer, entry: rawPath,
                               detail: "whiteout names no file inside the root", hint: ArchiveError.unsafeHint())
        }
        summary.whiteouts += 1
        let target = directory.appending(hidden)
        if upperPaths.contains(target.description) { return }
        guard let fd = try existingDirectory(directory, layer: layer, entry: rawPath) else { return }
        do {
            try TreeRemoval.remove(hidden, in: fd, path: target.description)
        } catch {
            throw ioError(error, layer: layer, entry: rawPath)
        }
        root.invalidate()
    }

    /// Removes everything below `fd` that this layer did not put there, keeping upper content and
    /// descending into upper directories to clear their lower children too.
    private func removeLower(in fd: Int32, path: String, upper: Set<String>) throws(SystemCallError) {
        for name in try TreeRemoval.childNames(of: fd, path: path) {
            let child = path.isEmpty ? name : path + "/" + name
            if !upper.contains(child) {
                try TreeRemoval.remove(name, in: fd, path: child)
                continue
            }
            let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if sub < 0 { continue }  // an upper file or symlink: kept as is
            defer { close(sub) }
            try removeLower(in: sub, path: child, upper: upper)
        }
    }

    /// The directory a whiteout applies to, or nil when it does not exist (nothing to hide).
    private func existingDirectory(_ directory: RootPath, layer: String, entry: String) throws -> Int32? {
        do {
            return try root.directory(directory.components, create: false)
        } catch RootDirectory.WalkError.missing {
            return nil
        } catch RootDirectory.WalkError.notADirectory {
            // Below a file there is nothing to hide.
            return nil
        } catch {
            throw walkError(error, layer: layer, entry: entry)
        }
    }

    // MARK: - Helpers

    /// Removes whatever is at `path` so a later entry can take its place ("last entry wins").
    private func replaceExisting(_ path: RootPath, in parent: Int32) throws {
        try TreeRemoval.remove(path.name, in: parent, path: path.description)
        // `parent` is the root or the cached directory, never beneath `path`, so it stays open.
        root.invalidate(under: path.components)
    }

    private func noteImplicitDirectory(_ path: String) {
        directories[path] = DirectoryMetadata(mode: 0o755, modificationTime: nil, owner: nil)
    }

    private func skip(_ kind: EntryKind, path: String, layer: String) {
        switch kind {
        case .fifo: summary.skippedFIFOs += 1
        case .socket: summary.skippedSockets += 1
        default: summary.skippedDevices += 1
        }
        if summary.skipped.count < ExtractionSummary.skippedListLimit {
            summary.skipped.append(.init(layer: layer, path: path, kind: kind))
        }
    }

    private func fileMode(_ permissions: UInt32) -> UInt32 {
        if permissions & 0o7000 != 0 { summary.clearedSpecialBits += 1 }
        return permissions & 0o777
    }

    private func directoryMode(_ permissions: UInt32) -> UInt32 {
        // Without root, keep the owner's rwx so the cache can remove the tree later.
        fileMode(permissions) | (runningAsRoot ? 0 : 0o700)
    }

    private func owner(_ entry: ArchiveEntryView) -> (uid: uid_t, gid: gid_t)? {
        guard applyOwnership else { return nil }
        let uid = entry.uid, gid = entry.gid
        guard uid >= 0, uid <= Int64(UInt32.max), gid >= 0, gid <= Int64(UInt32.max) else { return nil }
        return (uid_t(uid), gid_t(gid))
    }

    private func parse(_ raw: String, layer: String, entry: String) throws -> RootPath {
        do {
            return try RootPath(archivePath: raw)
        } catch .absolute {
            throw ArchiveError(.pathEscapes, layer: layer, entry: entry, detail: "absolute path", hint: ArchiveError.unsafeHint())
        } catch .tooLong {
            throw ArchiveError(.pathTooLong, layer: layer, entry: String(entry.prefix(200)) + "…",
                               detail: "path is longer than \(RootPath.maxLength) bytes")
        } catch {
            throw ArchiveError(.pathEscapes, layer: layer, entry: entry, detail: "path contains \"..\"", hint: ArchiveError.unsafeHint())
        }
    }

    private func walkError(_ error: any Error, layer: String, entry: String) -> ArchiveError {
        switch error {
        case RootDirectory.WalkError.symlink(let at):
            return ArchiveError(.symlinkInPath, layer: layer, entry: entry,
                                detail: "\"\(at)\" is a symlink; extraction never writes through symlinks",
                                hint: ArchiveError.unsafeHint())
        case RootDirectory.WalkError.notADirectory(let at):
            return ArchiveError(.notADirectory, layer: layer, entry: entry, detail: "\"\(at)\" is not a directory")
        case RootDirectory.WalkError.missing(let at):
            return ArchiveError(.io, layer: layer, entry: entry, detail: "\"\(at)\" does not exist")
        case RootDirectory.WalkError.system(let failure):
            return ioError(failure, layer: layer, entry: entry)
        case let archive as ArchiveError:
            return archive
        default:
            return ArchiveError(.io, layer: layer, entry: entry, detail: "\(error)")
        }
    }

    private func ioError(_ error: SystemCallError, layer: String?, entry: String?) -> ArchiveError {
        let hint: String? = switch error.code {
        case ENOSPC: "the disk is full; free space or point --cache-dir elsewhere"
        case EACCES, EPERM: "check the permissions of the cache directory"
        default: nil
        }
        return ArchiveError(.io, layer: layer, entry: entry,
                            detail: "cannot \(error.operation) \(error.path): \(error.reason)", hint: hint)
    }

    private static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }
}

/// OCI whiteout names (image-spec layer.md, "Whiteouts").
enum Whiteout {
    static let prefix = ".wh."
    static let metaPrefix = ".wh..wh."
    static let opaqueMarker = ".wh..wh..opq"
}
