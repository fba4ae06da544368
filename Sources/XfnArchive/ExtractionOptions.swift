/// A layer blob on disk and the name messages use for it (normally its digest).
public struct LayerFile: Sendable, Equatable {
    public var path: String
    public var name: String

    public init(path: String, name: String? = nil) {
        self.path = path
        self.name = name ?? String(path.split(separator: "/").last ?? Substring(path))
    }
}

/// Ceilings that stop a decompression bomb before it fills the disk. Sizes are checked against
/// what each tar header declares, so an oversized entry is refused before any of it is inflated.
public struct ExtractionLimits: Sendable, Equatable {
    /// Total data bytes over all layers.
    public var maxTotalBytes: Int64
    /// Total entries over all layers (whiteouts and skipped entries count).
    public var maxEntries: Int

    public init(maxTotalBytes: Int64 = 8 << 30, maxEntries: Int = 1_000_000) {
        self.maxTotalBytes = maxTotalBytes
        self.maxEntries = maxEntries
    }

    public static let `default` = ExtractionLimits()
}

/// Whose files the unpacked tree holds.
public enum OwnershipPolicy: Sendable, Equatable {
    /// When running as root, give each entry the numeric uid/gid from the layer (names are never
    /// looked up: the host's /etc/passwd is not the image's). Otherwise files belong to the caller.
    case preserveWhenRoot
    /// Files always belong to the caller.
    case caller
}

public struct ExtractionOptions: Sendable, Equatable {
    public var limits: ExtractionLimits
    public var ownership: OwnershipPolicy
    /// Flush the new tree to disk (`syncfs`) before it gets its final name, so a power cut cannot
    /// leave a finished-looking tree with empty files.
    public var durable: Bool

    public init(limits: ExtractionLimits = .default, ownership: OwnershipPolicy = .preserveWhenRoot, durable: Bool = true) {
        self.limits = limits
        self.ownership = ownership
        self.durable = durable
    }
}

/// What an extraction did, for a summary line in verbose mode.
public struct ExtractionSummary: Sendable, Equatable {
    public struct SkippedEntry: Sendable, Equatable {
        public let layer: String
        public let path: String
        public let kind: EntryKind
    }

    public var layers = 0
    public var entries = 0
    public var files = 0
    public var directories = 0
    public var symlinks = 0
    public var hardlinks = 0
    public var whiteouts = 0
    public var opaqueDirectories = 0
    /// Data bytes written.
    public var bytes: Int64 = 0
    /// Device nodes, FIFOs and sockets are never created; they are counted here.
    public var skippedDevices = 0
    public var skippedFIFOs = 0
    public var skippedSockets = 0
    /// The first skipped entries, for a report (at most `skippedListLimit`).
    public var skipped: [SkippedEntry] = []
    /// Entries whose setuid, setgid or sticky bit was dropped.
    public var clearedSpecialBits = 0

    static let skippedListLimit = 100

    public init() {}

    public var skippedTotal: Int { skippedDevices + skippedFIFOs + skippedSockets }
}

/// The result of unpacking into a destination.
public enum UnpackOutcome: Sendable, Equatable {
    case unpacked(ExtractionSummary)
    /// The destination already existed; nothing was written. The caller decides whether that
    /// tree is trusted or must be removed and unpacked again.
    case alreadyPresent
}
