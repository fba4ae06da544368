import XfnCore

/// The type of a Kubernetes object as its manifest names it. Schemas are looked up by the exact
/// `apiVersion` and `kind`, as crossplane does.
public struct GroupVersionKind: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let apiVersion: String
    public let kind: String

    public init(apiVersion: String, kind: String) {
        self.apiVersion = apiVersion
        self.kind = kind
    }

    public init(group: String, version: String, kind: String) {
        self.init(apiVersion: group.isEmpty ? version : "\(group)/\(version)", kind: kind)
    }

    /// The type an object declares, or nil when it lacks `apiVersion` or `kind`.
    public init?(of object: Value) {
        guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty,
              let kind = object["kind"]?.stringValue, !kind.isEmpty else { return nil }
        self.init(apiVersion: apiVersion, kind: kind)
    }

    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    public var version: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return apiVersion }
        return String(apiVersion[apiVersion.index(after: slash)...])
    }

    /// Crossplane's rendering, `group/version, Kind=Kind`, used in every output line.
    public var description: String { "\(apiVersion), Kind=\(kind)" }

    public static func < (lhs: GroupVersionKind, rhs: GroupVersionKind) -> Bool {
        (lhs.apiVersion, lhs.kind) < (rhs.apiVersion, rhs.kind)
    }
}

extension GroupVersionKind {
    static let customResourceDefinitionGroup = "apiextensions.k8s.io"
    static let crossplaneExtensionsGroup = "apiextensions.crossplane.io"
    static let packageGroup = "pkg.crossplane.io"
    static let packageMetaGroup = "meta.pkg.crossplane.io"

    /// The composition kind whose pipeline inputs crossplane validates as resources of their own.
    static let composition = GroupVersionKind(apiVersion: "apiextensions.crossplane.io/v1", kind: "Composition")
}

extension GroupVersionKind {
    /// A `pkg.crossplane.io` Function (any version), as render takes them.
    var isFunction: Bool { group == Self.packageGroup && kind == "Function" }
}
