import XfnCore

/// Everything that can go wrong while reading or extracting a layer. Each message names the layer
/// and, where there is one, the entry, so a user can tell which blob of which image is at fault.
public struct ArchiveError: XfnError {
    public enum Kind: Sendable, Equatable {
        /// The layer file could not be opened or read.
        case cannotOpen
        /// libarchive rejected the stream: a truncated gzip/zstd stream, a damaged tar header.
        case corrupt
        /// The entry's path (or a hardlink target) leaves the root: `..`, an absolute path.
        case pathEscapes
        /// The entry's path is longer than any program could open (PATH_MAX).
        case pathTooLong
        /// A component of the entry's path is a symlink; extraction never follows links.
        case symlinkInPath
        /// A component of the entry's path exists but is not a directory.
        case notADirectory
        /// A hardlink names a target that is not (yet) in the tree, or is a directory.
        case badHardlink
        /// The layers together declare more bytes or entries than the limits allow.
        case decompressionBomb
        /// A single-file read found the file, but it is larger than the caller's cap.
        case fileTooLarge
        /// A single-file read found the path, but it is not a regular file.
        case notARegularFile
        /// A file-system call failed while writing the tree.
        case io
        /// The task that asked for the work was cancelled.
        case cancelled
    }

    public let kind: Kind
    /// The layer's name as the caller gave it (usually its digest).
    public let layer: String?
    /// The entry path as written in the archive.
    public let entry: String?
    public let detail: String
    public let hint: String?

    public init(_ kind: Kind, layer: String?, entry: String? = nil, detail: String, hint: String? = nil) {
        self.kind = kind
        self.layer = layer
        self.entry = entry
        self.detail = detail
        self.hint = hint
    }

    public var message: String {
        var parts: [String] = []
        if let layer { parts.append("layer \(layer)") }
        if let entry { parts.append("entry \"\(entry)\"") }
        return parts.isEmpty ? detail : parts.joined(separator: ", ") + ": " + detail
    }
}

extension ArchiveError {
    static func unsafeHint() -> String {
        "the layer tries to write outside the unpack directory; do not use this image"
    }

    static func bombHint() -> String {
        "if the image is trusted and really this large, raise the extraction limits"
    }
}
