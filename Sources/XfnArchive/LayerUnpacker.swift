#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XfnCore

/// Unpacks a stack of layers into a directory, atomically: the tree is built in
/// `<destination>.tmp-<random>` beside the destination and renamed into place only when complete.
/// On any error the temporary tree is removed, so a destination that exists is always finished.
/// (A process killed mid-unpack leaves its `.tmp-` directory; whoever garbage-collects the cache
/// may remove such directories once no unpack is running.)
///
/// What a layer can and cannot do:
/// - Paths are relative to the root; an absolute path or any `..` component is an error, as is a
///   path longer than PATH_MAX.
/// - Symlinks are created verbatim and never followed while extracting: an entry whose path
///   passes through a symlink (`link -> /etc`, then `link/passwd`) is an error.
/// - Hardlinks must name a file already in the tree (this layer or a lower one), reached without
///   symlinks; anything else is an error.
/// - OCI whiteouts (`.wh.NAME`) and opaque markers (`.wh..wh..opq`) remove content of lower layers
///   only; a layer's own entries are never hidden by its own whiteouts.
/// - Device nodes, FIFOs and sockets are skipped and counted in the summary.
/// - setuid, setgid and sticky bits are dropped; modification times are kept; numeric owners are
///   kept only when running as root (see `OwnershipPolicy`). Without root, directories keep the
///   owner's rwx bits so the tree can be removed again. Extended attributes are not restored.
/// - Declared data sizes and entry counts are checked against `ExtractionLimits` before anything
///   is inflated; crossing them is reported as a decompression bomb.
public enum LayerUnpacker {
    /// Unpacks `layers` (lowest first) into `destination`, on a thread of its own. Progress reports
    /// compressed bytes consumed per layer, keyed by the layer's name.
    public static func unpack(_ layers: [LayerFile], into destination: String,
                              options: ExtractionOptions = ExtractionOptions(),
                              progress: ProgressHandler? = nil) async throws -> UnpackOutcome {
        try await BlockingThread.runCancellable(name: "xfn-unpack") { flag in
            try unpackBlocking(layers, into: destination, options: options, progress: progress, cancellation: flag)
        }
    }

    /// The synchronous form of `unpack`, for callers already on a thread of their own.
    public static func unpackBlocking(_ layers: [LayerFile], into destination: String,
                                      options: ExtractionOptions = ExtractionOptions(),
                                      progress: ProgressHandler? = nil) throws -> UnpackOutcome {
        try unpackBlocking(layers, into: destination, options: options, progress: progress, cancellation: nil)
    }

    static func unpackBlocking(_ layers: [LayerFile], into destination: String, options: ExtractionOptions,
                               progress: ProgressHandler?, cancellation: CancellationFlag?) throws -> UnpackOutcome {
        let destination = trimmingTrailingSlashes(destination)
        if exists(destination) { return .alreadyPresent }
        let temporary = destination + ".tmp-" + randomSuffix()
        guard mkdir(temporary, 0o755) == 0 else {
            let failure = FileError(path: temporary, operation: "create", code: errno)
            throw ArchiveError(.io, layer: nil, detail: failure.message, hint: failure.hint)
        }
        // The caller's umask must not decide who can read the tree.
        chmod(temporary, 0o755)
        let summary: ExtractionSummary
        do {
            summary = try extract(layers, into: temporary, options: options, progress: progress, cancellation: cancellation)
        } catch {
            removeQuietly(temporary)
            throw error
        }
        switch moveIntoPlace(temporary, to: destination) {
        case .renamed:
            if options.durable { syncDirectory(containing: destination) }
            return .unpacked(summary)
        case .destinationTaken:
            // Another process finished the same unpack first; its tree is as good as ours.
            removeQuietly(temporary)
            return .alreadyPresent
        case .failed(let code):
            removeQuietly(temporary)
            throw ArchiveError(.io, layer: nil,
                               detail: FileError(path: destination, operation: "rename \(temporary) to", code: code).message)
        }
    }

    private static func extract(_ layers: [LayerFile], into temporary: String, options: ExtractionOptions,
                                progress: ProgressHandler?, cancellation: CancellationFlag?) throws -> ExtractionSummary {
        let root: RootDirectory
        do {
            root = try RootDirectory(path: temporary)
        } catch {
            throw ArchiveError(.io, layer: nil, detail: FileError(path: temporary, operation: "open", code: error.code).message)
        }
        let applier = LayerApplier(root: root, options: options, cancellation: cancellation, progress: progress)
        for layer in layers {
            try applier.apply(layer)
        }
        try applier.finish()
        if options.durable, let syncfs = LinuxCalls.syncfs, syncfs(root.fd) != 0 {
            let code = errno
            throw ArchiveError(.io, layer: nil, detail: FileError(path: temporary, operation: "flush", code: code).message)
        }
        return applier.summary
    }

    private enum RenameResult { case renamed, destinationTaken, failed(Int32) }

    private static func moveIntoPlace(_ from: String, to destination: String) -> RenameResult {
        if let renameat2 = LinuxCalls.renameat2 {
            if renameat2(AT_FDCWD, from, AT_FDCWD, destination, LinuxCalls.renameNoReplace) == 0 { return .renamed }
            let code = errno
            if code == EEXIST { return .destinationTaken }
            // Some file systems do not support RENAME_NOREPLACE; fall through to a plain rename.
            guard code == EINVAL || code == ENOSYS else { return .failed(code) }
        }
        // A plain rename would replace an empty directory, but fails on a populated one, which is
        // what matters: a finished tree is never replaced.
        if exists(destination) { return .destinationTaken }
        if rename(from, destination) == 0 { return .renamed }
        let code = errno
        return code == EEXIST || code == ENOTEMPTY ? .destinationTaken : .failed(code)
    }

    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private static func removeQuietly(_ path: String) {
        // The original error matters more than a failed cleanup; the `.tmp-` name marks what is left.
        _ = try? TreeRemoval.remove(atPath: path)
    }

    private static func syncDirectory(containing path: String) {
        let parent = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
