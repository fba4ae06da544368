import XfnCore

/// The schema of one served version of a CustomResourceDefinition.
public struct CustomResourceSchema: Sendable {
    public let group: String
    public let version: String
    public let kind: String
    /// The CRD's `metadata.name`, for messages.
    public let crdName: String
    /// Whether the CRD serves this version; crossplane validates against every version it lists.
    public let served: Bool
    public let storage: Bool
    public let schema: CompiledSchema

    /// `group/version`, or `version` for the core group.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// One entry per version that has a schema, from an `apiextensions.k8s.io` v1 (or v1beta1) CRD.
    public static func versions(ofCRD crd: Value) throws -> [CustomResourceSchema] {
        let name = crd["metadata"]?["name"]?.stringValue ?? "<unnamed>"
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
              let kind = spec["names"]?["kind"]?.stringValue else {
            throw SchemaError(location: "spec", reason: "a CustomResourceDefinition needs spec.group and spec.names.kind", subject: name)
        }
        var result: [CustomResourceSchema] = []
        let shared = spec["validation"]?["openAPIV3Schema"]
        let versions = spec["versions"]?.arrayValue ?? spec["version"].map { [["name": $0]] } ?? []
        for (index, entry) in versions.enumerated() {
            guard let version = entry["name"]?.stringValue else {
                throw SchemaError(location: "spec.versions[\(index)].name", reason: "Required value", subject: name)
            }
            guard let schema = entry["schema"]?["openAPIV3Schema"] ?? shared else { continue }
            let compiled = try CompiledSchema(openAPIV3Schema: schema, subject: "\(name) version \(version)")
            result.append(CustomResourceSchema(group: group, version: version, kind: kind, crdName: name,
                                               served: entry["served"]?.boolValue ?? true,
                                               storage: entry["storage"]?.boolValue ?? (versions.count == 1),
                                               schema: compiled))
        }
        return result
    }
}
