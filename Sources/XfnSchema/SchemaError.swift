import XfnCore

/// A schema that cannot be compiled: the location inside the schema and why.
public struct SchemaError: XfnError, Equatable {
    /// Where in the schema, e.g. `openAPIV3Schema.properties.spec.properties.name.pattern`.
    public let location: String
    public let reason: String
    /// What the schema belongs to (a CRD name and version), when known.
    public var subject: String?

    public init(location: String, reason: String, subject: String? = nil) {
        self.location = location
        self.reason = reason
        self.subject = subject
    }

    public var message: String {
        let prefix = subject.map { "invalid schema in \($0)" } ?? "invalid schema"
        return "\(prefix) at \(location): \(reason)"
    }

    public var hint: String? {
        if location.hasSuffix(".pattern") {
            return "Kubernetes patterns are Go RE2: no look-around, back-references or possessive quantifiers"
        }
        if reason.contains("not supported") {
            return "v1 CustomResourceDefinitions must be structural; inline the referenced schema"
        }
        return nil
    }
}
