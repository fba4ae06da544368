import XfnCore

/// What a document is to a validation run (design.md §6): a schema source, a composition, or a
/// resource to validate.
public enum DocumentRole: Sendable, Equatable {
    case customResourceDefinition
    case compositeResourceDefinition
    /// A `pkg.crossplane.io` Provider or Function: its package's CRDs are schema sources.
    case package(reference: String)
    /// A `pkg.crossplane.io` Configuration: its package's XRDs, and its dependencies' schemas.
    case configurationPackage(reference: String)
    /// A local `crossplane.yaml` (`meta.pkg.crossplane.io` Configuration): its dependencies' schemas.
    case configurationMeta
    case composition
    case resource

    public init(of object: Value) {
        guard let gvk = GroupVersionKind(of: object) else {
            self = .resource
            return
        }
        switch (gvk.group, gvk.kind) {
        case (GroupVersionKind.customResourceDefinitionGroup, "CustomResourceDefinition"):
            self = .customResourceDefinition
        case (GroupVersionKind.crossplaneExtensionsGroup, "CompositeResourceDefinition"):
            self = .compositeResourceDefinition
        case (GroupVersionKind.packageGroup, "Provider"), (GroupVersionKind.packageGroup, "Function"):
            self = object["spec"]?["package"]?.stringValue.map { .package(reference: $0) } ?? .resource
        case (GroupVersionKind.packageGroup, "Configuration"):
            self = object["spec"]?["package"]?.stringValue.map { .configurationPackage(reference: $0) } ?? .resource
        case (GroupVersionKind.packageMetaGroup, "Configuration"):
            self = .configurationMeta
        case (GroupVersionKind.crossplaneExtensionsGroup, "Composition"):
            self = .composition
        default:
            self = .resource
        }
    }

    /// Whether the document supplies schemas (directly or through packages).
    public var isSchemaSource: Bool {
        switch self {
        case .composition, .resource: false
        default: true
        }
    }
}
