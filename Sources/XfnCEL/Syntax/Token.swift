/// One lexical token; `offset` is the UTF-8 byte offset of its first character, kept for error messages.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case int(Int64)
        /// A decimal or hex literal too large for Int64; valid only right after a unary minus.
        case intOverflow(String)
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case ident(String)
        /// A backtick-quoted field name (`` a.`b-c` ``).
        case quotedIdent(String)
        case punct(String)
        case eof
    }

    var kind: Kind
    var offset: Int

    func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = kind { q == p } else { false }
    }
}
