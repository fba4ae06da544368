import XfnCore
import XfnSchema
import XfnYAML

/// One problem with one resource, with where it was written.
public struct Finding: Sendable, Equatable {
    /// crossplane's error types (`schema`, `cel`, `unknownField`), plus `parse` for a document that
    /// could not be read, `source` for a schema that could not be used, and `render` for a
    /// Composition that could not be rendered.
    public enum Kind: String, Sendable {
        case schema, cel, unknownField, parse, source, render
    }

    public var kind: Kind
    /// The field as Kubernetes prints it; nil for findings about a whole document.
    public var field: String?
    /// The whole Kubernetes field error line (`spec.x: Invalid value: …`), or a sentence.
    public var message: String
    /// The offending value as Kubernetes reports it (for type errors, the actual type's name).
    public var value: Value?
    public var position: SourcePosition?

    public init(kind: Kind, field: String? = nil, message: String, value: Value? = nil, position: SourcePosition? = nil) {
        self.kind = kind
        self.field = field
        self.message = message
        self.value = value
        self.position = position
    }

    init(_ error: FieldError, position: SourcePosition?) {
        let kind: Kind = switch error.source {
        case .rule: .cel
        case .unknownField: .unknownField
        case .schema, .listType: .schema
        }
        let value: Value? = switch error.badValue {
        case .omitted: nil
        case .count(let n): .int(Int64(n))
        case .value(let v): v
        }
        self.init(kind: kind, field: error.field, message: error.description, value: value, position: position)
    }
}

/// The outcome for one resource (or one document that could not be read).
public struct ResourceResult: Sendable {
    public enum Status: String, Sendable {
        case valid, invalid, missingSchema
        /// The document could not be read as a Kubernetes object; counted as a failure.
        case unreadable
    }

    public var apiVersion: String
    public var kind: String
    /// `metadata.name`, else the `crossplane.io/composition-resource-name` annotation, else empty.
    public var name: String
    public var namespace: String
    public var status: Status
    public var findings: [Finding]
    public var file: String
    /// Where the resource starts (for a pipeline input, where the input starts; for a rendered
    /// resource, where the Composition writes it).
    public var position: SourcePosition?
    /// For a resource a Composition rendered, which one and from which XR.
    public var renderedFrom: RenderOrigin?

    public var gvk: GroupVersionKind { GroupVersionKind(apiVersion: apiVersion, kind: kind) }
}

/// Everything a run found, in input order.
public struct ValidationReport: Sendable {
    public struct Summary: Sendable, Equatable {
        public var total = 0
        public var valid = 0
        public var invalid = 0
        public var missingSchemas = 0
    }

    /// How much work the run did; shows what the schema cache saved.
    public struct Statistics: Sendable, Equatable {
        /// Inputs whose YAML was parsed.
        public var parsedFiles = 0
        /// Inputs answered from the schema cache without parsing.
        public var cachedFiles = 0
        /// Packages whose schemas came from the schema cache.
        public var cachedPackages = 0
        /// Schemas compiled for the resources' kinds.
        public var compiledSchemas = 0
    }

    public var results: [ResourceResult]
    public var statistics = Statistics()
    /// Renders that failed because a function did (could not start, failed, or returned a fatal result).
    public var functionFailures = 0
    /// Things worth saying that are not about a resource (a cache that could not be written).
    public var notices: [String]

    public init(results: [ResourceResult], notices: [String] = []) {
        self.results = results
        self.notices = notices
    }

    public var summary: Summary {
        var summary = Summary(total: results.count)
        for result in results {
            switch result.status {
            case .valid: summary.valid += 1
            case .invalid, .unreadable: summary.invalid += 1
            case .missingSchema: summary.missingSchemas += 1
            }
        }
        return summary
    }

    /// Whether the command should fail, as crossplane decides: any failure, or (when asked) any
    /// missing schema.
    public func failed(errorOnMissingSchemas: Bool) -> Bool {
        let summary = summary
        return summary.invalid > 0 || (errorOnMissingSchemas && summary.missingSchemas > 0)
    }
}
