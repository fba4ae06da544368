import CArchive

/// libarchive's functions, looked up when the first layer is opened (see `Sources/CArchive/shim.h`
/// for why it is not linked).
struct ArchiveLibrary: @unchecked Sendable {
    /// Immutable once loaded; the functions it points to are libarchive's own.
    let api: xfn_archive

    private static let loaded: Result<ArchiveLibrary, LoadFailure> = {
        var api = xfn_archive()
        if let reason = xfn_archive_open(&api) {
            return .failure(LoadFailure(reason: String(cString: reason)))
        }
        return .success(ArchiveLibrary(api: api))
    }()

    private struct LoadFailure: Error {
        let reason: String
    }

    /// The library, or an error for the layer that needed it.
    static func forLayer(_ layer: String) throws -> ArchiveLibrary {
        switch loaded {
        case .success(let library):
            return library
        case .failure(let failure):
            throw ArchiveError(.cannotOpen, layer: layer, detail: "cannot load libarchive: \(failure.reason)",
                               hint: "install libarchive 3 (e.g. apt install libarchive13)")
        }
    }
}
