/// What an archive entry is, as far as extraction cares.
public enum EntryKind: String, Sendable, Equatable {
    case file, directory, symlink, hardlink, characterDevice, blockDevice, fifo, socket
}

/// One entry of a layer, as `LayerContents.list` reports it.
public struct ArchiveEntryInfo: Sendable, Equatable {
    public let path: String
    public let kind: EntryKind
    /// Data bytes the entry declares (0 for links and directories).
    public let size: Int64
    /// Permission bits as stored, including setuid/setgid/sticky.
    public let permissions: UInt32
    /// Target of a symlink or hardlink.
    public let linkTarget: String?
    public let uid: Int64
    public let gid: Int64
    /// Seconds since the epoch.
    public let modificationTime: Int64?
}
