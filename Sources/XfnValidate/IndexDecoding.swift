import Foundation

extension SchemaCache.Index {
    /// Reads the text `CompactJSON.encode(json)` writes, without building values: a warm run over
    /// a large CRD set reads thousands of these from the source index. Only the usual shape is
    /// taken (plain strings, no Configuration metadata); anything else is nil, and the caller
    /// parses it as JSON.
    init?(compactJSON bytes: [UInt8]) {
        var reader = CompactReader(bytes: bytes)
        guard reader.take("{\"kinds\":"), let kinds = reader.pairs(),
              reader.take(",\"documentKinds\":"), let documentKinds = reader.pairs(),
              reader.take(",\"packages\":"), let packages = reader.strings(),
              reader.take(",\"configurationPackages\":"), let configurationPackages = reader.strings(),
              reader.take(",\"configurationMetas\":[]"), reader.take(",\"onlySources\":") else { return nil }
        let onlySources: Bool
        if reader.take("true") { onlySources = true } else if reader.take("false") { onlySources = false } else { return nil }
        guard reader.take("}"), reader.atEnd else { return nil }
        self.init()
        self.kinds = kinds
        self.documentKinds = documentKinds
        self.packages = packages
        self.configurationPackages = configurationPackages
        self.onlySources = onlySources
    }
}

private struct CompactReader {
    let bytes: [UInt8]
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + offset, expected.baseAddress!, count) == 0 }
        }
        if matches { offset += count }
        return matches
    }

    /// A string without escapes; one with any is left to the JSON parser.
    mutating func string() -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
        let start = offset + 1
        var end = start
        while end < bytes.count {
            switch bytes[end] {
            case UInt8(ascii: "\""):
                offset = end + 1
                return String(decoding: bytes[start..<end], as: UTF8.self)
            case UInt8(ascii: "\\"):
                return nil
            default:
                end += 1
            }
        }
        return nil
    }

    /// `[` items separated by commas `]`.
    mutating func list<T>(_ item: (inout CompactReader) -> T?) -> [T]? {
        guard take("[") else { return nil }
        var items: [T] = []
        if take("]") { return items }
        repeat {
            guard let next = item(&self) else { return nil }
            items.append(next)
        } while take(",")
        return take("]") ? items : nil
    }

    mutating func strings() -> [String]? { list { $0.string() } }

    /// `[["apiVersion","kind"],...]`.
    mutating func pairs() -> [GroupVersionKind]? {
        list { reader in
            guard reader.take("["), let apiVersion = reader.string(), reader.take(","), let kind = reader.string(),
                  reader.take("]") else { return nil }
            return GroupVersionKind(apiVersion: apiVersion, kind: kind)
        }
    }
}
