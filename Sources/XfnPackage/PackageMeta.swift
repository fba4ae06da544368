import XfnCore

/// The kinds of Crossplane package.
public enum PackageKind: String, Sendable, Codable, CaseIterable {
    case provider = "Provider"
    case function = "Function"
    case configuration = "Configuration"
}

/// One `spec.dependsOn` entry, in either spelling Crossplane accepts.
public struct PackageDependency: Sendable, Hashable, Codable {
    /// Kind named by the entry (`kind:` or the legacy field), nil when only `package:` is given.
    public var kind: PackageKind?
    public var package: String
    /// A digest, an exact tag or a semantic version constraint; nil means any version.
    public var version: String?

    public init(kind: PackageKind?, package: String, version: String?) {
        self.kind = kind
        self.package = package
        self.version = version
    }
}

/// The `meta.pkg.crossplane.io` object at the head of a package's package.yaml.
public struct PackageMeta: Sendable, Codable {
    public var apiVersion: String
    public var kind: PackageKind
    public var name: String
    /// `spec.crossplane.version`, a constraint on the Crossplane version the package needs.
    public var crossplaneVersion: String?
    public var dependencies: [PackageDependency]
    public var capabilities: [String]
    public var annotations: [String: String]

    struct Invalid: XfnError {
        let reason: String
        var message: String { "invalid package metadata: \(reason)" }
        var hint: String? { "the first document of package.yaml must be a meta.pkg.crossplane.io Provider, Function or Configuration" }
    }

    public init(_ object: Value) throws {
        guard let apiVersion = object["apiVersion"]?.stringValue, apiVersion.hasPrefix("meta.pkg.crossplane.io/") else {
            throw Invalid(reason: "apiVersion is '\(object["apiVersion"]?.stringValue ?? "missing")'")
        }
        guard let kindText = object["kind"]?.stringValue, let kind = PackageKind(rawValue: kindText) else {
            throw Invalid(reason: "kind '\(object["kind"]?.stringValue ?? "missing")' is not Provider, Function or Configuration")
        }
        guard let name = object.value(at: ["metadata", "name"])?.stringValue, !name.isEmpty else {
            throw Invalid(reason: "metadata.name is missing")
        }
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        crossplaneVersion = object.value(at: ["spec", "crossplane", "version"])?.stringValue
        capabilities = object.value(at: ["spec", "capabilities"])?.arrayValue?.compactMap(\.stringValue) ?? []
        var annotations: [String: String] = [:]
        for (key, value) in object.value(at: ["metadata", "annotations"])?.objectValue ?? ValueObject() {
            if let text = value.stringValue { annotations[key] = text }
        }
        self.annotations = annotations
        dependencies = try (object.value(at: ["spec", "dependsOn"])?.arrayValue ?? []).enumerated().map { index, entry in
            try Self.dependency(entry, index: index)
        }
    }

    /// `package:` with `kind:`, or the older `provider:` / `configuration:` / `function:` fields.
    static func dependency(_ entry: Value, index: Int) throws -> PackageDependency {
        let version = entry["version"]?.stringValue
        if let package = entry["package"]?.stringValue {
            let kind = entry["kind"]?.stringValue.flatMap(PackageKind.init(rawValue:))
            return PackageDependency(kind: kind, package: package, version: version)
        }
        for kind in PackageKind.allCases {
            if let package = entry[kind.rawValue.lowercased()]?.stringValue {
                return PackageDependency(kind: kind, package: package, version: version)
            }
        }
        throw Invalid(reason: "spec.dependsOn[\(index)] names no package (package, provider, configuration or function)")
    }
}
