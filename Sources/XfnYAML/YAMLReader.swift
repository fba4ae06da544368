import Foundation
import XfnCore

/// Reads YAML streams into `Value` documents with the position of every field.
public enum YAMLReader {
    public struct Options: Sendable {
        /// Most nodes a document may hold once aliases are expanded; a "billion laughs" document is
        /// refused as soon as its count passes this, before anything is built.
        public var maximumNodes: Int
        /// Deepest nesting accepted; deeper documents would exhaust the stack.
        public var maximumDepth: Int
        /// Accept a repeated key, the later value winning, as go-yaml's non-strict decoding (and so
        /// crossplane's loader) does. By default a repeated key is an error naming both places.
        public var allowDuplicateKeys: Bool
        /// Build the position table. Schema sources (CRDs) need no positions and read faster without.
        public var recordPositions: Bool
        /// Refuse `.inf` and `.nan` as Kubernetes does: its YAML-to-JSON step cannot represent them.
        public var rejectNonFiniteNumbers: Bool

        public init(maximumNodes: Int = 1_000_000, maximumDepth: Int = 512, allowDuplicateKeys: Bool = false,
                    recordPositions: Bool = true, rejectNonFiniteNumbers: Bool = false) {
            self.maximumNodes = maximumNodes
            self.maximumDepth = maximumDepth
            self.allowDuplicateKeys = allowDuplicateKeys
            self.recordPositions = recordPositions
            self.rejectNonFiniteNumbers = rejectNonFiniteNumbers
        }
    }

    /// Every non-empty document of the stream, in order.
    public static func read(_ text: String, file: String, options: Options = Options()) throws -> [YAMLDocument] {
        try read(bytes: text.utf8, file: file, options: options)
    }

    public static func read(_ data: Data, file: String, options: Options = Options()) throws -> [YAMLDocument] {
        try read(bytes: data, file: file, options: options)
    }

    /// Reads a file off the cooperative thread pool; large CRD files take a while to parse.
    public static func read(contentsOf url: URL, options: Options = Options()) async throws -> [YAMLDocument] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    let bytes = try FileContents.read(atPath: url.path)
                    continuation.resume(returning: try read(bytes: bytes, file: url.path, options: options))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    static func read(bytes: some Collection<UInt8>, file: String, options: Options) throws -> [YAMLDocument] {
        var builder = DocumentBuilder(parser: LibYAMLParser(bytes: bytes, file: file), file: file, options: options)
        return try builder.readStream()
    }
}

private struct DocumentBuilder {
    let parser: LibYAMLParser
    let file: String
    let options: YAMLReader.Options
    /// Each anchor's value and how many nodes it stands for, so aliases are counted without expanding them.
    var anchors: [String: (value: Value, nodes: Int)] = [:]
    var nodes = 0

    init(parser: LibYAMLParser, file: String, options: YAMLReader.Options) {
        self.parser = parser
        self.file = file
        self.options = options
    }

    mutating func readStream() throws -> [YAMLDocument] {
        var documents: [YAMLDocument] = []
        var index = 0
        while true {
            let event = try parser.next()
            switch event.kind {
            case .streamStart:
                continue
            case .streamEnd:
                return documents
            case .documentStart:
                anchors = [:]
                nodes = 0
                let first = try parser.next()
                let (value, _, tree) = try node(first, depth: 0, record: options.recordPositions)
                let end = try parser.next()
                guard case .documentEnd = end.kind else {
                    throw YAMLError(kind: .syntax, file: file, position: end.start, reason: "expected the end of the document")
                }
                // Kubernetes tools skip documents that hold nothing (a lone `---`, only comments).
                if !value.isNull {
                    documents.append(YAMLDocument(value: value, positions: PositionTable(root: tree), index: index, file: file))
                }
                index += 1
            default:
                throw YAMLError(kind: .syntax, file: file, position: event.start, reason: "unexpected event between documents")
            }
        }
    }

    private mutating func count(_ added: Int, at position: SourcePosition, alias: Bool = false) throws {
        nodes += added
        if nodes > options.maximumNodes {
            if alias {
                throw YAMLError(kind: .aliasLimit, file: file, position: position,
                                reason: "aliases expand the document to more than \(options.maximumNodes) nodes")
            }
            throw YAMLError(kind: .tooLarge, file: file, position: position,
                            reason: "the document has more than \(options.maximumNodes) nodes")
        }
    }

    /// Builds the node that starts with `event`; returns it, the number of nodes it holds and, when
    /// recording, the positions inside it.
    private mutating func node(_ event: YAMLEvent, depth: Int, record: Bool) throws -> (Value, Int, PositionTable.Node?) {
        guard depth <= options.maximumDepth else {
            throw YAMLError(kind: .tooDeep, file: file, position: event.start,
                            reason: "nesting deeper than \(options.maximumDepth) levels")
        }
        var tree = record ? PositionTable.Node(position: event.start) : nil
        switch event.kind {
        case .alias(let anchor):
            guard let target = anchors[anchor] else {
                throw YAMLError(kind: .unknownAnchor, file: file, position: event.start, reason: "unknown anchor '\(anchor)' referenced")
            }
            try count(target.nodes, at: event.start, alias: true)
            return (target.value, target.nodes, tree)
        case .scalar(let text, let tag, let plain):
            try count(1, at: event.start)
            let value = try scalar(text, tag: tag, plain: plain, at: event.start)
            if options.rejectNonFiniteNumbers, case .double(let d) = value, !d.isFinite {
                throw YAMLError(kind: .unsupportedValue, file: file, position: event.start,
                                reason: "json: unsupported value: \(GoFormat.float(d))")
            }
            if let anchor = event.anchor { anchors[anchor] = (value, 1) }
            return (value, 1, tree)
        case .sequenceStart:
            try count(1, at: event.start)
            var items: [Value] = []
            var total = 1
            while true {
                let next = try parser.next()
                if case .sequenceEnd = next.kind { break }
                let (item, n, itemTree) = try node(next, depth: depth + 1, record: record)
                items.append(item)
                if let itemTree { tree?.items.append(itemTree) }
                total += n
            }
            let value = Value.array(items)
            if let anchor = event.anchor { anchors[anchor] = (value, total) }
            return (value, total, tree)
        case .mappingStart:
            try count(1, at: event.start)
            var object = ValueObject()
            // Where each key of `object` was written, by its position among the pairs.
            var keyPositions: [SourcePosition] = []
            var merged: [ValueObject] = []
            var total = 1
            while true {
                let keyEvent = try parser.next()
                if case .mappingEnd = keyEvent.kind { break }
                let key: String
                var isMerge = false
                switch keyEvent.kind {
                case .scalar(let text, let tag, let plain):
                    if plain, tag == nil, text == "<<" {
                        isMerge = true
                        key = text
                    } else {
                        key = ScalarResolver.keyText(try scalar(text, tag: tag, plain: plain, at: keyEvent.start), raw: text)
                    }
                case .alias(let anchor):
                    guard let target = anchors[anchor] else {
                        throw YAMLError(kind: .unknownAnchor, file: file, position: keyEvent.start, reason: "unknown anchor '\(anchor)' referenced")
                    }
                    guard let text = Self.scalarText(target.value) else {
                        throw YAMLError(kind: .invalidKey, file: file, position: keyEvent.start, reason: "a mapping key must be a scalar")
                    }
                    key = text
                default:
                    throw YAMLError(kind: .invalidKey, file: file, position: keyEvent.start, reason: "a mapping key must be a scalar")
                }
                let valueEvent = try parser.next()
                if isMerge {
                    let (source, n, _) = try node(valueEvent, depth: depth + 1, record: false)
                    total += n
                    switch source {
                    case .object(let o): merged.append(o)
                    case .array(let list):
                        for element in list {
                            guard case .object(let o) = element else {
                                throw YAMLError(kind: .syntax, file: file, position: valueEvent.start, reason: "map merge requires a mapping or a list of mappings")
                            }
                            merged.append(o)
                        }
                    default:
                        throw YAMLError(kind: .syntax, file: file, position: valueEvent.start, reason: "map merge requires a mapping or a list of mappings")
                    }
                    continue
                }
                if let existing = object.position(of: key) {
                    let first = keyPositions[existing]
                    if !options.allowDuplicateKeys {
                        throw YAMLError(kind: .duplicateKey(first: first), file: file, position: keyEvent.start,
                                        reason: "mapping key \"\(key)\" already defined at line \(first.line) column \(first.column)")
                    }
                    keyPositions[existing] = keyEvent.start
                } else {
                    keyPositions.append(keyEvent.start)
                }
                let (value, n, valueTree) = try node(valueEvent, depth: depth + 1, record: record)
                if var member = valueTree {
                    // A member is found by its key.
                    member.position = keyEvent.start
                    tree?.members.append((key, member))
                }
                object[key] = value
                total += n
            }
            // Explicit keys win over merged ones; earlier merge sources win over later ones.
            for source in merged {
                for (key, value) in source where !object.contains(key) { object[key] = value }
            }
            let value = Value.object(object)
            if let anchor = event.anchor { anchors[anchor] = (value, total) }
            return (value, total, tree)
        default:
            throw YAMLError(kind: .syntax, file: file, position: event.start, reason: "unexpected event in a node")
        }
    }

    private static func scalarText(_ value: Value) -> String? {
        switch value {
        case .string(let s): s
        case .bool, .int, .double, .null: ScalarResolver.keyText(value, raw: "")
        default: nil
        }
    }

    private func scalar(_ text: String, tag: String?, plain: Bool, at position: SourcePosition) throws -> Value {
        guard let tag, tag != "!" else {
            return plain && tag == nil ? ScalarResolver.resolvePlain(text) : .string(text)
        }
        let short = tag.hasPrefix("tag:yaml.org,2002:") ? String(tag.dropFirst("tag:yaml.org,2002:".count)) : tag
        func bad(_ kind: String) -> YAMLError {
            YAMLError(kind: .badTag, file: file, position: position, reason: "cannot decode \(GoFormat.quote(text)) as !!\(kind)")
        }
        switch short {
        case "str", "binary", "timestamp":
            return .string(text)
        case "null":
            guard ScalarResolver.resolvePlain(text).isNull else { throw bad(short) }
            return .null
        case "bool":
            guard case .bool(let b) = ScalarResolver.resolvePlain(text) else { throw bad(short) }
            return .bool(b)
        case "int":
            let v = ScalarResolver.resolvePlain(text)
            switch v {
            case .int: return v
            case .double(let d) where d == d.rounded(.towardZero) && !text.utf8.contains(UInt8(ascii: ".")): return v
            default: throw bad(short)
            }
        case "float":
            switch ScalarResolver.resolvePlain(text) {
            case .int(let i): return .int(i)
            case .double(let d): return ScalarResolver.number(d)
            default: throw bad(short)
            }
        default:
            // Application tags (`!Ref` and the like) carry no meaning for Kubernetes objects.
            return plain ? ScalarResolver.resolvePlain(text) : .string(text)
        }
    }
}
