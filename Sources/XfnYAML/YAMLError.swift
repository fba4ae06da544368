import XfnCore

/// Why a YAML stream could not be read, with the file and position involved.
public struct YAMLError: XfnError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// libyaml rejected the text.
        case syntax
        case duplicateKey(first: SourcePosition)
        case aliasLimit
        case tooLarge
        /// A value JSON cannot carry (infinity, NaN).
        case unsupportedValue
        case unknownAnchor
        case invalidKey
        case tooDeep
        case badTag
    }

    public let kind: Kind
    public let file: String
    public let position: SourcePosition?
    public let reason: String

    public init(kind: Kind, file: String, position: SourcePosition?, reason: String) {
        self.kind = kind
        self.file = file
        self.position = position
        self.reason = reason
    }

    public var message: String {
        let place = position.map { "\(file):\($0.line):\($0.column)" } ?? file
        return "cannot parse YAML \(place): \(reason)"
    }

    public var hint: String? {
        switch kind {
        case .duplicateKey: "remove one of the two entries; Kubernetes rejects objects with repeated keys"
        case .aliasLimit: "the document expands aliases into too many nodes; write the repeated parts out or split the file"
        case .unsupportedValue: "quote the value to keep it as a string; Kubernetes objects cannot hold infinity or NaN"
        case .tooLarge: "split the document, or raise the node limit if it is genuinely this large"
        case .syntax: "check the indentation and quoting around that position"
        default: nil
        }
    }
}
