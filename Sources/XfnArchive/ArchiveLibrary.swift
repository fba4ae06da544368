import CArchive
import XfnCore

/// libarchive, opened when the first layer is (see `Sources/CArchive/shim.h`).
enum ArchiveLibrary {
    private static let loaded = FunctionTable.open(xfn_archive(), with: xfn_archive_open)

    /// libarchive's functions, or an error for the layer that needed them.
    static func forLayer(_ layer: String) throws -> FunctionTable<xfn_archive> {
        switch loaded {
        case .success(let table):
            return table
        case .failure(let failure):
            throw ArchiveError(.cannotOpen, layer: layer, detail: "cannot load libarchive: \(failure.reason)",
                               hint: "install libarchive 3 (e.g. apt install libarchive13)")
        }
    }
}
