/// Additive progress events. Libraries report; only the command line draws, and only on a terminal.
public enum ProgressEvent: Sendable {
    /// A unit of work (a blob, a layer) became known, with its expected size in bytes.
    case started(id: String, label: String, totalBytes: Int64?)
    /// More bytes of that unit were processed.
    case advanced(id: String, bytes: Int64)
    /// The unit finished; `cached` when no work was needed.
    case finished(id: String, cached: Bool)
    /// A retry, a resume or another note worth a line in verbose mode.
    case note(String)
}

public typealias ProgressHandler = @Sendable (ProgressEvent) -> Void
