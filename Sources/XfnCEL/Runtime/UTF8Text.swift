#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Byte-level string helpers. UTF-8 is self-synchronising, so searching bytes finds exactly the
/// code-point matches CEL wants, without Swift's grapheme and canonical-equivalence machinery.
enum UTF8Text {
    /// Number of code points (bytes that do not continue a sequence).
    static func scalarCount(_ s: String) -> Int {
        var copy = s
        return copy.withUTF8 { buf in
            var n = 0
            for b in buf where b & 0xC0 != 0x80 { n += 1 }
            return n
        }
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool {
        var h = haystack
        var n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                if nb.isEmpty { return true }
                if nb.count > hb.count { return false }
                let first = nb[0]
                let last = hb.count - nb.count
                var i = 0
                while i <= last {
                    if hb[i] == first, memcmp(hb.baseAddress! + i, nb.baseAddress!, nb.count) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }

    static func hasPrefix(_ s: String, _ prefix: String) -> Bool { s.utf8.starts(with: prefix.utf8) }

    static func hasSuffix(_ s: String, _ suffix: String) -> Bool {
        let a = s.utf8.count
        let b = suffix.utf8.count
        return b <= a && s.utf8.dropFirst(a - b).elementsEqual(suffix.utf8)
    }
}
