/// Where a blob's bytes go: the content store's ingest file, which hashes and bounds what it is given.
/// Called on the transport thread.
public protocol BlobWriter: AnyObject, Sendable {
    /// Bytes already held, so an interrupted download resumes with `Range` from here.
    var bytesWritten: Int64 { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Drops everything written; used when a registry ignores `Range` and sends the whole blob again.
    func restart() throws
}
