import CYAML
import XfnCore

/// Writes values as block YAML the way Kubernetes' sigs.k8s.io/yaml does (go-yaml v2 over libyaml):
/// keys in go-yaml's order, strings quoted only when they would read back as another type, long
/// lines folded at `width`.
public enum YAMLWriter {
    public struct Options: Sendable {
        /// Preferred line width; go-yaml v2 uses libyaml's default of 80. Negative means unlimited.
        public var width: Int32
        public init(width: Int32 = 80) { self.width = width }
    }

    /// One document, without a `---` line.
    public static func write(_ value: Value, options: Options = Options()) -> String {
        let emitter = LibYAMLEmitter(width: options.width)
        emitter.document(value)
        return emitter.finish()
    }

    /// A stream: documents separated by `---` lines.
    public static func write(documents: [Value], options: Options = Options()) -> String {
        documents.map { write($0, options: options) }.joined(separator: "---\n")
    }

    /// go-yaml v2's key order: numbers inside keys compare by value, letters after other characters.
    public static func keyPrecedes(_ a: String, _ b: String) -> Bool {
        let ar = Array(a.unicodeScalars), br = Array(b.unicodeScalars)
        var i = 0
        while i < ar.count, i < br.count {
            if ar[i] == br[i] { i += 1; continue }
            let al = ar[i].properties.isAlphabetic, bl = br[i].properties.isAlphabetic
            if al && bl { return ar[i].value < br[i].value }
            if al || bl { return bl }
            func isDigit(_ s: Unicode.Scalar) -> Bool { s.value >= 48 && s.value <= 57 }
            var an: Int64 = 0, bn: Int64 = 0
            if ar[i] == "0" || br[i] == "0" {
                var j = i - 1
                while j >= 0, isDigit(ar[j]) {
                    if ar[j] != "0" { an = 1; bn = 1; break }
                    j -= 1
                }
            }
            var ai = i, bi = i
            while ai < ar.count, isDigit(ar[ai]) { an = an &* 10 &+ Int64(ar[ai].value - 48); ai += 1 }
            while bi < br.count, isDigit(br[bi]) { bn = bn &* 10 &+ Int64(br[bi].value - 48); bi += 1 }
            if an != bn { return an < bn }
            if ai != bi { return ai < bi }
            return ar[i].value < br[i].value
        }
        return ar.count < br.count
    }

    /// Text and style for a scalar, as go-yaml v2 chooses them before libyaml's own checks.
    static func scalar(_ value: Value) -> (text: String, style: yaml_scalar_style_t) {
        switch value {
        case .null: return ("null", YAML_PLAIN_SCALAR_STYLE)
        case .bool(let b): return (b ? "true" : "false", YAML_PLAIN_SCALAR_STYLE)
        case .int(let i): return (String(i), YAML_PLAIN_SCALAR_STYLE)
        case .double(let d):
            if d.isNaN { return (".nan", YAML_PLAIN_SCALAR_STYLE) }
            if d.isInfinite { return (d < 0 ? "-.inf" : ".inf", YAML_PLAIN_SCALAR_STYLE) }
            return (GoFormat.float(d), YAML_PLAIN_SCALAR_STYLE)
        case .string(let s):
            if s.contains("\n") { return (s, YAML_LITERAL_SCALAR_STYLE) }
            // `<<` is the merge key, which go-yaml also quotes.
            if case .string = ScalarResolver.resolvePlain(s), s != "<<", !isBase60Float(s), !ScalarResolver.looksLikeTimestamp(s) {
                return (s, YAML_PLAIN_SCALAR_STYLE)
            }
            return (s, YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        case .array, .object:
            return ("", YAML_ANY_SCALAR_STYLE)
        }
    }

    /// YAML 1.1 sexagesimal numbers (`1:20`), which go-yaml quotes for older readers.
    static func isBase60Float(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.contains(UInt8(ascii: ":")) else { return false }
        var i = 0
        if bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-") { i = 1 }
        func digit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 48 && bytes[k] <= 57 }
        guard digit(i) else { return false }
        i += 1
        while i < bytes.count, digit(i) || bytes[i] == UInt8(ascii: "_") { i += 1 }
        var groups = 0
        while i < bytes.count, bytes[i] == UInt8(ascii: ":") {
            i += 1
            var n = 0
            while digit(i), n < 2 { i += 1; n += 1 }
            guard n > 0 else { return false }
            if n == 2, bytes[i - 2] > UInt8(ascii: "5") { return false }
            groups += 1
        }
        guard groups > 0 else { return false }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, digit(i) || bytes[i] == UInt8(ascii: "_") { i += 1 }
        }
        return i == bytes.count
    }
}

/// Owns a libyaml emitter writing into memory.
private final class LibYAMLEmitter {
    private final class Sink { var bytes: [UInt8] = [] }

    private let emitter: UnsafeMutablePointer<yaml_emitter_t>
    private let sink = Sink()

    init(width: Int32) {
        emitter = .allocate(capacity: 1)
        yaml_emitter_initialize(emitter)
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_width(emitter, width)
        let handler: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<UInt8>?, Int) -> Int32 = { data, buffer, size in
            guard let data, let buffer else { return 1 }
            let sink = Unmanaged<Sink>.fromOpaque(data).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }
        yaml_emitter_set_output(emitter, handler, Unmanaged.passUnretained(sink).toOpaque())
        var event = yaml_event_t()
        yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
        emit(&event)
    }

    deinit {
        yaml_emitter_delete(emitter)
        emitter.deallocate()
    }

    /// libyaml only fails here on events out of order, which this class never produces.
    private func emit(_ event: inout yaml_event_t) {
        let ok = yaml_emitter_emit(emitter, &event)
        precondition(ok == 1, "libyaml emitter rejected an event: \(emitter.pointee.problem.map { String(cString: $0) } ?? "?")")
    }

    func document(_ value: Value) {
        var event = yaml_event_t()
        yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
        emit(&event)
        node(value)
        yaml_document_end_event_initialize(&event, 1)
        emit(&event)
    }

    private func node(_ value: Value) {
        var event = yaml_event_t()
        switch value {
        case .object(let object):
            yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE)
            emit(&event)
            for key in object.keys.sorted(by: YAMLWriter.keyPrecedes) {
                node(.string(key))
                node(object[key]!)
            }
            yaml_mapping_end_event_initialize(&event)
            emit(&event)
        case .array(let items):
            yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE)
            emit(&event)
            for item in items { node(item) }
            yaml_sequence_end_event_initialize(&event)
            emit(&event)
        default:
            let (text, style) = YAMLWriter.scalar(value)
            // A trailing NUL keeps the pointer valid for the empty string; libyaml copies the bytes.
            var bytes = Array(text.utf8) + [0]
            bytes.withUnsafeMutableBufferPointer { buffer in
                _ = yaml_scalar_event_initialize(&event, nil, nil, buffer.baseAddress, Int32(buffer.count - 1), 1, 1, style)
            }
            emit(&event)
        }
    }

    func finish() -> String {
        var event = yaml_event_t()
        yaml_stream_end_event_initialize(&event)
        emit(&event)
        yaml_emitter_flush(emitter)
        return String(decoding: sink.bytes, as: UTF8.self)
    }
}
