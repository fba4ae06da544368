import XfnCore
import XfnSchema

/// One CRD version's schema as a source provides it, before compilation. Kept as a `Value` so the
/// schema cache can store it as JSON and a run compiles only the kinds its resources use.
public struct SchemaEntry: Sendable {
    public var gvk: GroupVersionKind
    /// The CRD's `metadata.name` (for a converted XRD, the generated CRD's name).
    public var crdName: String
    public var schema: Value
    /// Where it came from: a file path or a package reference.
    public var origin: String
    /// The checksum of its schema cache line, when it was read from the cache: what the record of
    /// schemas known to compile keeps.
    public var checksum: String?

    public init(gvk: GroupVersionKind, crdName: String, schema: Value, origin: String, checksum: String? = nil) {
        self.gvk = gvk
        self.crdName = crdName
        self.schema = schema
        self.origin = origin
        self.checksum = checksum
    }

    /// Every version of a CRD that has a schema (a per-version one, or v1beta1's shared `spec.validation`).
    public static func entries(ofCRD crd: Value, origin: String) throws -> [SchemaEntry] {
        let name = crd["metadata"]?["name"]?.stringValue ?? "<unnamed>"
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
              let kind = spec["names"]?["kind"]?.stringValue else {
            throw ValidateError("CustomResourceDefinition \(name) in \(origin) needs spec.group and spec.names.kind")
        }
        let shared = spec["validation"]?["openAPIV3Schema"]
        let versions = spec["versions"]?.arrayValue ?? spec["version"].map { [["name": $0]] } ?? []
        var result: [SchemaEntry] = []
        for entry in versions {
            guard let version = entry["name"]?.stringValue else { continue }
            guard let schema = shared ?? entry["schema"]?["openAPIV3Schema"], !schema.isNull else { continue }
            result.append(SchemaEntry(gvk: GroupVersionKind(group: group, version: version, kind: kind), crdName: name,
                                      schema: schema, origin: origin))
        }
        return result
    }

    /// The XR (and claim) CRDs' versions of an XRD.
    public static func entries(ofXRD xrd: Value, origin: String) throws -> [SchemaEntry] {
        try CompositeResourceDefinition.customResourceDefinitions(from: xrd).flatMap { try entries(ofCRD: $0, origin: origin) }
    }

    var json: Value {
        ["apiVersion": .string(gvk.apiVersion), "kind": .string(gvk.kind), "crd": .string(crdName), "schema": schema]
    }

    init?(json: Value, origin: String) {
        guard let apiVersion = json["apiVersion"]?.stringValue, let kind = json["kind"]?.stringValue,
              let schema = json["schema"] else { return nil }
        self.init(gvk: GroupVersionKind(apiVersion: apiVersion, kind: kind), crdName: json["crd"]?.stringValue ?? "",
                  schema: schema, origin: origin)
    }
}
