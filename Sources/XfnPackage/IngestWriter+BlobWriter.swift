import XfnRegistry
import XfnStore

// The store's ingest file is exactly what the registry client streams blobs into.
extension IngestWriter: BlobWriter {}
