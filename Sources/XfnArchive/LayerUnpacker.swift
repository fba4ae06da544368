#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import XfnCore

/// Unpacks a stack of layers into a directory, atomically: the tree is built in
/// `<destination>.tmp-<random>` beside the destination and renamed into place only when complete.
/// On any error the temporary tree is removed, so a destination that exists is always finished.
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
            let code = errno
            throw ArchiveError(.io, layer: nil, detail: FileError(path: temporary, operation: "create", code: code).message,
                               hint: FileError(path: temporary, operation: "create", code: code).hint)
        }
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
        let status: Int32
        if let renameat2 = LinuxCalls.renameat2 {
            status = renameat2(AT_FDCWD, from, AT_FDCWD, destination, LinuxCalls.renameNoReplace)
        } else {
            // Plain rename replaces an empty directory but fails on a populated one, which is
            // what matters: a finished tree is never replaced.
            status = exists(destination) ? -1 : rename(from, destination)
            if status != 0, exists(destination) { return .destinationTaken }
        }
        if status == 0 { return .renamed }
        let code = errno
        if code == EEXIST || code == ENOTEMPTY { return .destinationTaken }
        if code == ENOSYS || code == EINVAL, LinuxCalls.renameat2 != nil {
            // Some file systems do not support RENAME_NOREPLACE.
            if exists(destination) { return .destinationTaken }
            return rename(from, destination) == 0 ? .renamed : .failed(errno)
        }
        return .failed(code)
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
