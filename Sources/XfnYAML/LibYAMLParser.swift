import CYAML

/// One libyaml event, copied out of the C struct so the parser can free it at once.
struct YAMLEvent {
    enum Kind {
        case streamStart, streamEnd
        case documentStart, documentEnd
        case alias(anchor: String)
        case scalar(value: String, tag: String?, plain: Bool)
        case sequenceStart(tag: String?)
        case sequenceEnd
        case mappingStart(tag: String?)
        case mappingEnd
    }

    let kind: Kind
    let anchor: String?
    let start: SourcePosition
}

/// Owns a libyaml parser and the bytes it reads; the only place that touches the C handle.
final class LibYAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let input: UnsafeMutableBufferPointer<UInt8>
    private let file: String

    init(bytes: some Collection<UInt8>, file: String) {
        self.file = file
        parser = .allocate(capacity: 1)
        yaml_parser_initialize(parser)
        // libyaml keeps a pointer into the input, so the bytes live as long as the parser.
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        yaml_parser_delete(parser)
        parser.deallocate()
        input.deallocate()
    }

    func next() throws -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else { throw currentError() }
        defer { yaml_event_delete(&event) }
        let start = SourcePosition(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return YAMLEvent(kind: .streamStart, anchor: nil, start: start)
        case YAML_STREAM_END_EVENT:
            return YAMLEvent(kind: .streamEnd, anchor: nil, start: start)
        case YAML_DOCUMENT_START_EVENT:
            return YAMLEvent(kind: .documentStart, anchor: nil, start: start)
        case YAML_DOCUMENT_END_EVENT:
            return YAMLEvent(kind: .documentEnd, anchor: nil, start: start)
        case YAML_ALIAS_EVENT:
            let anchor = Self.string(event.data.alias.anchor) ?? ""
            return YAMLEvent(kind: .alias(anchor: anchor), anchor: nil, start: start)
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value: String
            if let pointer = scalar.value {
                value = String(decoding: UnsafeBufferPointer(start: pointer, count: scalar.length), as: UTF8.self)
            } else {
                value = ""
            }
            let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
            return YAMLEvent(kind: .scalar(value: value, tag: Self.string(scalar.tag), plain: plain),
                             anchor: Self.string(scalar.anchor), start: start)
        case YAML_SEQUENCE_START_EVENT:
            let sequence = event.data.sequence_start
            return YAMLEvent(kind: .sequenceStart(tag: Self.string(sequence.tag)), anchor: Self.string(sequence.anchor), start: start)
        case YAML_SEQUENCE_END_EVENT:
            return YAMLEvent(kind: .sequenceEnd, anchor: nil, start: start)
        case YAML_MAPPING_START_EVENT:
            let mapping = event.data.mapping_start
            return YAMLEvent(kind: .mappingStart(tag: Self.string(mapping.tag)), anchor: Self.string(mapping.anchor), start: start)
        case YAML_MAPPING_END_EVENT:
            return YAMLEvent(kind: .mappingEnd, anchor: nil, start: start)
        default:
            throw YAMLError(kind: .syntax, file: file, position: start, reason: "unexpected parser event")
        }
    }

    private func currentError() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown error"
        var reason = problem
        if let context = p.context.map({ String(cString: $0) }) {
            let contextLine = Int(p.context_mark.line) + 1
            reason = "\(context) (line \(contextLine)) \(problem)"
        }
        let mark = p.problem_mark
        return YAMLError(kind: .syntax, file: file,
                         position: SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1),
                         reason: reason)
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
