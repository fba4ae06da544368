import Synchronization
import XfnCEL
import XfnCore

/// One compiled node of an OpenAPI v3 schema as Kubernetes reads it. Built once per CRD version and
/// shared between threads. A node's own keywords are compiled with it; the nodes below it
/// (`properties`, `items`, `additionalProperties`, `allOf`, …) are compiled with it too, or, for a
/// schema already known to compile, on first use: a resource touches little of a large schema.
public final class SchemaNode: Sendable {
    public enum AdditionalProperties: Sendable {
        case absent
        case allowed(Bool)
        case schema(SchemaNode)
    }

    /// `type`; empty means any. `x-kubernetes-int-or-string` makes it `["integer", "string"]`.
    public let types: [String]
    public let nullable: Bool
    /// The format as written, kept only when Kubernetes checks it.
    public let format: String?
    let stringFormat: StringFormat?
    public let enumValues: [Value]?
    public let pattern: CELRegex?
    public let maximum: Double?
    public let exclusiveMaximum: Bool
    public let minimum: Double?
    public let exclusiveMinimum: Bool
    public let multipleOf: Double?
    public let maxLength: Int64?
    public let minLength: Int64?
    public let maxItems: Int64?
    public let minItems: Int64?
    public let uniqueItems: Bool
    public let maxProperties: Int64?
    public let minProperties: Int64?
    public let required: [String]
    public let preserveUnknownFields: Bool
    public let intOrString: Bool
    public let embeddedResource: Bool
    /// `atomic`, `set` or `map`; nil when not given (atomic).
    public let listType: String?
    public let listMapKeys: [String]
    public let defaultValue: Value?
    public let rules: [ValidationRule]
    /// The nodes below this one; shared with a copy made by `markedEmbedded()`.
    let below: Below
    /// The node's schema object as written, for what needs only a few keywords of a whole subtree
    /// (the CEL type of `self`) and so should not compile it.
    let written: ValueObject

    init(types: [String], nullable: Bool, format: String?, stringFormat: StringFormat?, enumValues: [Value]?,
         pattern: CELRegex?, maximum: Double?, exclusiveMaximum: Bool, minimum: Double?, exclusiveMinimum: Bool,
         multipleOf: Double?, maxLength: Int64?, minLength: Int64?, maxItems: Int64?, minItems: Int64?,
         uniqueItems: Bool, maxProperties: Int64?, minProperties: Int64?, required: [String],
         preserveUnknownFields: Bool, intOrString: Bool, embeddedResource: Bool, listType: String?,
         listMapKeys: [String], defaultValue: Value?, rules: [ValidationRule], below: Below, written: ValueObject) {
        self.types = types
        self.nullable = nullable
        self.format = format
        self.stringFormat = stringFormat
        self.enumValues = enumValues
        self.pattern = pattern
        self.maximum = maximum
        self.exclusiveMaximum = exclusiveMaximum
        self.minimum = minimum
        self.exclusiveMinimum = exclusiveMinimum
        self.multipleOf = multipleOf
        self.maxLength = maxLength
        self.minLength = minLength
        self.maxItems = maxItems
        self.minItems = minItems
        self.uniqueItems = uniqueItems
        self.maxProperties = maxProperties
        self.minProperties = minProperties
        self.required = required
        self.preserveUnknownFields = preserveUnknownFields
        self.intOrString = intOrString
        self.embeddedResource = embeddedResource
        self.listType = listType
        self.listMapKeys = listMapKeys
        self.defaultValue = defaultValue
        self.rules = rules
        self.below = below
        self.written = written
    }

    /// Declared properties in the order the schema lists them.
    public var propertyNames: [String] { below.children.properties.names }
    public var properties: [String: SchemaNode] {
        Dictionary(below.children.properties.all, uniquingKeysWith: { first, _ in first })
    }
    public var additionalProperties: AdditionalProperties { below.children.additionalProperties }
    public var items: SchemaNode? { below.children.items }
    public var allOf: [SchemaNode] { below.children.allOf }
    public var anyOf: [SchemaNode] { below.children.anyOf }
    public var oneOf: [SchemaNode] { below.children.oneOf }
    public var not: SchemaNode? { below.children.not }

    /// The nodes below this one, compiled now if they were left for first use. Checking reads
    /// this once per value rather than each keyword of it.
    var children: Children { below.children }

    /// The schema for values of undeclared keys, when `additionalProperties` is a schema.
    public var additionalPropertiesSchema: SchemaNode? {
        if case .schema(let node) = below.children.additionalProperties { node } else { nil }
    }

    /// A copy marked as an embedded resource; the resource root is treated as one when pruning.
    func markedEmbedded() -> SchemaNode {
        SchemaNode(types: types, nullable: nullable, format: format, stringFormat: stringFormat, enumValues: enumValues,
                   pattern: pattern, maximum: maximum, exclusiveMaximum: exclusiveMaximum, minimum: minimum,
                   exclusiveMinimum: exclusiveMinimum, multipleOf: multipleOf, maxLength: maxLength, minLength: minLength,
                   maxItems: maxItems, minItems: minItems, uniqueItems: uniqueItems, maxProperties: maxProperties,
                   minProperties: minProperties, required: required, preserveUnknownFields: preserveUnknownFields,
                   intOrString: intOrString, embeddedResource: true, listType: listType, listMapKeys: listMapKeys,
                   defaultValue: defaultValue, rules: rules, below: below, written: written)
    }

    /// Stands in for a node that failed to compile lazily: the schema is then reported as invalid,
    /// and results checked with it are not used.
    static let unchecked = SchemaNode(
        types: [], nullable: true, format: nil, stringFormat: nil, enumValues: nil, pattern: nil, maximum: nil,
        exclusiveMaximum: false, minimum: nil, exclusiveMinimum: false, multipleOf: nil, maxLength: nil, minLength: nil,
        maxItems: nil, minItems: nil, uniqueItems: false, maxProperties: nil, minProperties: nil, required: [],
        preserveUnknownFields: true, intOrString: false, embeddedResource: false, listType: nil, listMapKeys: [],
        defaultValue: nil, rules: [], below: Below(compiled: .none), written: ValueObject())

    /// The structural keywords of a node, compiled.
    final class Children: Sendable {
        let properties: DeclaredProperties
        let additionalProperties: AdditionalProperties
        let items: SchemaNode?
        let allOf: [SchemaNode]
        let anyOf: [SchemaNode]
        let oneOf: [SchemaNode]
        let not: SchemaNode?

        init(properties: DeclaredProperties = .none, additionalProperties: AdditionalProperties = .absent,
             items: SchemaNode? = nil, allOf: [SchemaNode] = [], anyOf: [SchemaNode] = [], oneOf: [SchemaNode] = [],
             not: SchemaNode? = nil) {
            self.properties = properties
            self.additionalProperties = additionalProperties
            self.items = items
            self.allOf = allOf
            self.anyOf = anyOf
            self.oneOf = oneOf
            self.not = not
        }

        /// The declared properties that have a default, in order.
        var defaulted: [(name: String, node: SchemaNode)] { properties.defaulted }

        func property(_ name: String) -> SchemaNode? { properties.node(named: name) }

        var additionalPropertiesSchema: SchemaNode? {
            if case .schema(let node) = additionalProperties { node } else { nil }
        }

        static let none = Children()
    }

    /// A node's children, either compiled with it or compiled once, by whichever thread first needs
    /// them (threads racing to it compile the same thing; one result is kept).
    final class Below: Sendable {
        private let compiled = OnceReference<Children>()
        /// What to compile on first use; nil once compiled up front.
        private let pending: Pending?

        struct Pending: Sendable {
            let object: ValueObject
            let location: SchemaLocation
            let depth: Int
            let failures: LateFailures
        }

        init(compiled children: Children) {
            pending = nil
            _ = compiled.storeIfNil(children)
        }

        init(pending: Pending) {
            self.pending = pending
        }

        var children: Children {
            if let known = compiled.load() { return known }
            guard let pending else { return Children.none }
            let built: Children
            do {
                built = try SchemaCompiler.children(of: pending.object, at: pending.location, depth: pending.depth,
                                                    mode: .lazy(pending.failures))
            } catch {
                // Only a schema recorded as compiling is compiled lazily, so this means the record
                // was wrong; the schema is reported as invalid and nothing below here is checked.
                pending.failures.record(error)
                built = Children.none
            }
            return compiled.storeIfNil(built)
        }
    }
}

/// Schema errors met while compiling lazily, which a compilation up front would have reported.
final class LateFailures: Sendable {
    private let first = Mutex<SchemaError?>(nil)

    func record(_ error: any Error) {
        let schemaError = error as? SchemaError ?? SchemaError(location: "openAPIV3Schema", reason: "\(error)")
        first.withLock { if $0 == nil { $0 = schemaError } }
    }

    var error: SchemaError? { first.withLock { $0 } }
}

/// Where a node sits in its schema, spelled out only for an error message.
final class SchemaLocation: Sendable, CustomStringConvertible {
    private let parent: SchemaLocation?
    private let step: Step

    enum Step: Sendable {
        case root(String)
        case keyword(String)
        case property(String)
        case element(String, Int)
    }

    init(_ root: String) {
        parent = nil
        step = .root(root)
    }

    private init(parent: SchemaLocation, step: Step) {
        self.parent = parent
        self.step = step
    }

    func child(_ step: Step) -> SchemaLocation { SchemaLocation(parent: self, step: step) }

    var description: String {
        var steps: [Step] = []
        var current: SchemaLocation? = self
        while let node = current {
            steps.append(node.step)
            current = node.parent
        }
        var text = ""
        for step in steps.reversed() {
            switch step {
            case .root(let name): text += name
            case .keyword(let name): text += ".\(name)"
            case .property(let name): text += ".properties[\(name)]"
            case .element(let keyword, let index): text += ".\(keyword)[\(index)]"
            }
        }
        return text
    }
}
