/// Tests on names the compiler and the macro expander make for every identifier they meet. They
/// look at bytes: with Foundation visible in this module, `hasPrefix(".")` and `contains(".")`
/// resolved to Foundation's locale-aware string search.
extension StringProtocol {
    /// A name written with a leading dot (`.a.b`), which resolves from the root container only.
    var isRootQualified: Bool { utf8.first == UInt8(ascii: ".") }

    /// A qualified name (`a.b`).
    var isDotted: Bool { utf8.contains(UInt8(ascii: ".")) }
}
