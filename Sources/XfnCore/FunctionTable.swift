/// A C library's functions, looked up once by the library's own open function (the CCurl and
/// CArchive shims say why those two are opened on first use rather than linked).
public struct FunctionTable<Table>: @unchecked Sendable {
    /// Immutable once filled; what it points to is the library's own code.
    public let functions: Table

    /// Why a library could not be opened, as `dlerror` or the shim put it.
    public struct OpenFailure: Error, Sendable {
        public let reason: String

        public init(reason: String) { self.reason = reason }
    }

    /// Fills `empty` with `open`, which returns nil when every function was found and otherwise says
    /// what went wrong.
    public static func open(_ empty: Table, with open: (UnsafeMutablePointer<Table>) -> UnsafePointer<CChar>?)
        -> Result<FunctionTable, OpenFailure>
    {
        var table = empty
        if let reason = open(&table) { return .failure(OpenFailure(reason: String(cString: reason))) }
        return .success(FunctionTable(functions: table))
    }
}
