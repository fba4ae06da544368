import XfnCore

/// Derives the CustomResourceDefinitions Crossplane generates from a CompositeResourceDefinition:
/// one for the composite resource and, when the XRD names a claim, one for the claim. The schema
/// additions follow crossplane-runtime's `xcrd` package, which `crossplane beta validate` uses.
public enum CompositeResourceDefinition {
    /// How Crossplane lays out an XR's machinery fields.
    public enum Scope: String, Sendable {
        /// Crossplane v2: machinery under `spec.crossplane`, namespaced XRs.
        case namespaced = "Namespaced"
        /// Crossplane v2: machinery under `spec.crossplane`, cluster XRs.
        case cluster = "Cluster"
        /// Crossplane v1 XRs: machinery directly under `spec`, claims allowed.
        case legacyCluster = "LegacyCluster"
    }

    /// The XR CRD first, then the claim CRD when `spec.claimNames` is set.
    public static func customResourceDefinitions(from xrd: Value) throws -> [Value] {
        var result = [try compositeCRD(from: xrd)]
        if xrd["spec"]?["claimNames"].map({ !$0.isNull }) == true {
            result.append(try claimCRD(from: xrd))
        }
        return result
    }

    /// The scope the XRD declares. A v2 XRD without one is `Namespaced` (the API's default); a v1
    /// XRD has no such field and is always `LegacyCluster`.
    public static func scope(of xrd: Value) throws -> Scope {
        let name = xrd["metadata"]?["name"]?.stringValue ?? "<unnamed>"
        if let declared = xrd["spec"]?["scope"]?.stringValue {
            guard let scope = Scope(rawValue: declared) else {
                throw ValidateError("XRD \(name) has an unknown spec.scope \"\(declared)\"",
                                    hint: "spec.scope is one of Namespaced, Cluster or LegacyCluster")
            }
            return scope
        }
        return xrd["apiVersion"]?.stringValue == "apiextensions.crossplane.io/v2" ? .namespaced : .legacyCluster
    }

    public static func compositeCRD(from xrd: Value) throws -> Value {
        let (name, spec) = try parts(of: xrd)
        let scope = try scope(of: xrd)
        let names = spec["names"] ?? [:]
        let updatePolicy = spec["defaultCompositionUpdatePolicy"]?.stringValue
        var versions: [Value] = []
        for (index, version) in (spec["versions"]?.arrayValue ?? []).enumerated() {
            var crdVersion = try generateVersion(version, index: index, xrdName: name, maxNameLength: 63, kind: "Composite Resource")
            crdVersion = appendingColumns(crdVersion, compositeColumns(scope))
            crdVersion = merging(into: crdVersion, spec: compositeSpecProperties(scope, updatePolicy: updatePolicy),
                                 status: statusProperties(scope))
            versions.append(crdVersion)
        }
        return crd(name: name, xrd: xrd, spec: spec, names: withCategory(names, "composite"),
                   scope: scope == .namespaced ? "Namespaced" : "Cluster", versions: versions)
    }

    public static func claimCRD(from xrd: Value) throws -> Value {
        let (name, spec) = try parts(of: xrd)
        guard let claimNames = spec["claimNames"], case .object = claimNames else {
            throw ValidateError("cannot derive claim CRD from XRD \"\(name)\": invalid resource claim names: missing names")
        }
        let names = spec["names"] ?? [:]
        for field in ["kind", "plural", "singular", "listKind"] {
            guard let claim = claimNames[field]?.stringValue else { continue }
            let optional = field == "singular" || field == "listKind"
            if (!optional || !claim.isEmpty), claim == names[field]?.stringValue ?? "" {
                throw ValidateError("cannot derive claim CRD from XRD \"\(name)\": invalid resource claim names: \"\(claim)\" conflicts with composite resource name",
                                    hint: "spec.claimNames must differ from spec.names")
            }
        }
        let deletePolicy = spec["defaultCompositeDeletePolicy"]?.stringValue
        var versions: [Value] = []
        for (index, version) in (spec["versions"]?.arrayValue ?? []).enumerated() {
            var crdVersion = try generateVersion(version, index: index, xrdName: name, maxNameLength: 63, kind: "Composite Resource Claim")
            crdVersion = appendingColumns(crdVersion, claimColumns)
            // Claims get the legacy XR status fields, claimConditionTypes included, as Crossplane does.
            crdVersion = merging(into: crdVersion, spec: claimSpecProperties(deletePolicy: deletePolicy),
                                 status: statusProperties(.legacyCluster))
            versions.append(crdVersion)
        }
        let plural = claimNames["plural"]?.stringValue ?? ""
        let group = spec["group"]?.stringValue ?? ""
        return crd(name: "\(plural).\(group)", xrd: xrd, spec: spec, names: withCategory(claimNames, "claim"),
                   scope: "Namespaced", versions: versions)
    }

    // MARK: - Assembly

    private static func parts(of xrd: Value) throws -> (String, Value) {
        let name = xrd["metadata"]?["name"]?.stringValue ?? ""
        guard let spec = xrd["spec"], case .object = spec else {
            throw ValidateError("XRD \(name.isEmpty ? "<unnamed>" : name) has no spec")
        }
        return (name, spec)
    }

    private static func crd(name: String, xrd: Value, spec: Value, names: Value, scope: String, versions: [Value]) -> Value {
        var metadata = obj(["name": .string(name)])
        var labels = xrd["metadata"]?["labels"]?.objectValue ?? ValueObject()
        if let inherited = spec["metadata"]?["labels"]?.objectValue {
            for (key, value) in inherited { labels[key] = value }
        }
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        if let annotations = spec["metadata"]?["annotations"], case .object = annotations { metadata["annotations"] = annotations }
        metadata["ownerReferences"] = [[
            "apiVersion": "apiextensions.crossplane.io/v1",
            "kind": "CompositeResourceDefinition",
            "name": .string(xrd["metadata"]?["name"]?.stringValue ?? ""),
            "uid": .string(xrd["metadata"]?["uid"]?.stringValue ?? ""),
            "controller": true,
            "blockOwnerDeletion": true,
        ]]
        var crdSpec = obj([
            "group": spec["group"] ?? "",
            "names": names,
            "scope": .string(scope),
            "versions": .array(versions),
        ])
        if let conversion = spec["conversion"], !conversion.isNull { crdSpec["conversion"] = conversion }
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": .object(metadata),
            "spec": .object(crdSpec),
        ]
    }

    private static func withCategory(_ names: Value, _ category: String) -> Value {
        var object = names.objectValue ?? ValueObject()
        var categories = object["categories"]?.arrayValue ?? []
        categories.append(.string(category))
        object["categories"] = .array(categories)
        return .object(object)
    }

    /// One CRD version from one XRD version: Crossplane's base schema with the XRD's `spec` and
    /// `status` folded in. Only some keywords of the XRD's `spec` and `status` survive, as in Crossplane.
    private static func generateVersion(_ version: Value, index: Int, xrdName: String, maxNameLength: Int64, kind: String) throws -> Value {
        let versionName = version["name"]?.stringValue ?? ""
        guard let schema = version["schema"]?["openAPIV3Schema"], case .object(let xrdSchema) = schema else {
            throw ValidateError("cannot generate CRD for \"\(kind)\" \"\(xrdName)\": custom resource validation cannot be nil",
                                hint: "give spec.versions[\(index)] (\(versionName)) a schema.openAPIV3Schema")
        }
        var maxLength = maxNameLength
        if let declared = xrdSchema["properties"]?["metadata"]?["properties"]?["name"]?["maxLength"]?.intValue, declared < maxLength {
            maxLength = declared
        }

        var root = obj(["type": "object", "required": ["spec"]])
        if let description = xrdSchema["description"], !description.isNull { root["description"] = description }
        if let rules = xrdSchema["x-kubernetes-validations"], !rules.isNull { root["x-kubernetes-validations"] = rules }

        let xrdSpec = xrdSchema["properties"]?["spec"]?.objectValue ?? ValueObject()
        var spec = obj(["type": "object"])
        copy(["description", "required", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations", "oneOf"], from: xrdSpec, to: &spec)
        spec["properties"] = .object(xrdSpec["properties"]?.objectValue ?? ValueObject())

        let xrdStatus = xrdSchema["properties"]?["status"]?.objectValue ?? ValueObject()
        var status = obj(["type": "object"])
        copy(["description", "required", "x-kubernetes-validations", "oneOf"], from: xrdStatus, to: &status)
        status["properties"] = .object(xrdStatus["properties"]?.objectValue ?? ValueObject())

        root["properties"] = [
            "apiVersion": ["type": "string"],
            "kind": ["type": "string"],
            "metadata": ["type": "object", "properties": ["name": ["type": "string", "maxLength": .int(maxLength)]]],
            "spec": .object(spec),
            "status": .object(status),
        ]

        var crdVersion = obj([
            "name": .string(versionName),
            "served": .bool(version["served"]?.boolValue ?? false),
            "storage": .bool(version["referenceable"]?.boolValue ?? false),
        ])
        if version["deprecated"]?.boolValue == true { crdVersion["deprecated"] = true }
        if let warning = version["deprecationWarning"]?.stringValue { crdVersion["deprecationWarning"] = .string(warning) }
        crdVersion["schema"] = ["openAPIV3Schema": .object(root)]
        var subresources = obj(["status": [:]])
        if let scale = version["subresources"]?["scale"], !scale.isNull { subresources["scale"] = scale }
        crdVersion["subresources"] = .object(subresources)
        crdVersion["additionalPrinterColumns"] = .array(version["additionalPrinterColumns"]?.arrayValue ?? [])
        return .object(crdVersion)
    }

    /// Copies the keywords Go's typed round trip keeps: absent and empty values stay absent.
    private static func copy(_ keys: [String], from source: ValueObject, to target: inout ValueObject) {
        for key in keys {
            guard let value = source[key], !value.isNull else { continue }
            if let list = value.arrayValue, list.isEmpty { continue }
            if case .string("") = value { continue }
            target[key] = value
        }
    }

    private static func appendingColumns(_ version: Value, _ columns: [Value]) -> Value {
        guard var object = version.objectValue else { return version }
        object["additionalPrinterColumns"] = .array((object["additionalPrinterColumns"]?.arrayValue ?? []) + columns)
        return .object(object)
    }

    /// Crossplane's machinery properties replace any the XRD declares under the same names.
    private static func merging(into version: Value, spec extraSpec: ValueObject, status extraStatus: ValueObject) -> Value {
        guard var object = version.objectValue, var schema = object["schema"]?["openAPIV3Schema"]?.objectValue,
              var properties = schema["properties"]?.objectValue else { return version }
        for (field, extra) in [("spec", extraSpec), ("status", extraStatus)] {
            guard var node = properties[field]?.objectValue else { continue }
            var nodeProperties = node["properties"]?.objectValue ?? ValueObject()
            for (key, value) in extra { nodeProperties[key] = value }
            node["properties"] = .object(nodeProperties)
            properties[field] = .object(node)
        }
        schema["properties"] = .object(properties)
        object["schema"] = ["openAPIV3Schema": .object(schema)]
        return .object(object)
    }

    // MARK: - Crossplane's machinery fields

    private static func obj(_ pairs: KeyValuePairs<String, Value>) -> ValueObject {
        ValueObject(pairs.map { ($0.key, $0.value) })
    }

    private static let string: Value = ["type": "string"]

    private static func reference(_ required: [String], _ properties: [String]) -> Value {
        var props = ValueObject()
        for property in properties { props[property] = string }
        return ["type": "object", "required": .array(required.map { .string($0) }), "properties": .object(props)]
    }

    private static let labelSelector: Value = [
        "type": "object",
        "required": ["matchLabels"],
        "properties": ["matchLabels": ["type": "object", "additionalProperties": ["type": "string"]]],
    ]

    private static func enumeration(_ values: [String], default value: String?) -> Value {
        var node = obj(["type": "string", "enum": .array(values.map { .string($0) })])
        if let value { node["default"] = .string(value) }
        return .object(node)
    }

    private static func resourceRefs(namespaced: Bool) -> Value {
        let properties = namespaced ? ["apiVersion", "name", "kind"] : ["apiVersion", "name", "namespace", "kind"]
        return ["type": "array", "items": reference(["apiVersion", "kind"], properties), "x-kubernetes-list-type": "atomic"]
    }

    static func compositeSpecProperties(_ scope: Scope, updatePolicy: String?) -> ValueObject {
        var properties = obj([
            "compositionRef": reference(["name"], ["name"]),
            "compositionSelector": labelSelector,
            "compositionRevisionRef": reference(["name"], ["name"]),
            "compositionRevisionSelector": labelSelector,
            "compositionUpdatePolicy": enumeration(["Automatic", "Manual"], default: updatePolicy),
            "resourceRefs": resourceRefs(namespaced: scope == .namespaced),
        ])
        if scope == .legacyCluster {
            properties["claimRef"] = reference(["apiVersion", "kind", "namespace", "name"], ["apiVersion", "kind", "namespace", "name"])
            properties["writeConnectionSecretToRef"] = reference(["name", "namespace"], ["name", "namespace"])
            return properties
        }
        return obj(["crossplane": [
            "type": "object",
            "description": "Configures how Crossplane will reconcile this composite resource",
            "properties": .object(properties),
        ]])
    }

    static func claimSpecProperties(deletePolicy: String?) -> ValueObject {
        obj([
            "compositionRef": reference(["name"], ["name"]),
            "compositionSelector": labelSelector,
            "compositionRevisionRef": reference(["name"], ["name"]),
            "compositionRevisionSelector": labelSelector,
            "compositionUpdatePolicy": enumeration(["Automatic", "Manual"], default: nil),
            "compositeDeletePolicy": enumeration(["Background", "Foreground"], default: deletePolicy),
            "resourceRef": reference(["apiVersion", "kind", "name"], ["apiVersion", "kind", "name"]),
            "writeConnectionSecretToRef": reference(["name"], ["name"]),
        ])
    }

    static func statusProperties(_ scope: Scope) -> ValueObject {
        var properties = obj([
            "conditions": [
                "description": "Conditions of the resource.",
                "type": "array",
                "x-kubernetes-list-map-keys": ["type"],
                "x-kubernetes-list-type": "map",
                "items": [
                    "type": "object",
                    "required": ["lastTransitionTime", "reason", "status", "type"],
                    "properties": [
                        "lastTransitionTime": ["type": "string", "format": "date-time"],
                        "message": ["type": "string"],
                        "reason": ["type": "string"],
                        "status": ["type": "string"],
                        "type": ["type": "string"],
                        "observedGeneration": ["type": "integer", "format": "int64"],
                    ],
                ],
            ],
        ])
        if scope == .legacyCluster {
            properties["connectionDetails"] = ["type": "object", "properties": ["lastPublishedTime": ["type": "string", "format": "date-time"]]]
            properties["claimConditionTypes"] = ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]]
        }
        return properties
    }

    private static func column(_ name: String, _ path: String, type: String = "string", priority: Int64? = nil) -> Value {
        var object = obj(["name": .string(name), "type": .string(type), "jsonPath": .string(path)])
        if let priority { object["priority"] = .int(priority) }
        return .object(object)
    }

    static func compositeColumns(_ scope: Scope) -> [Value] {
        let machinery = scope == .legacyCluster ? ".spec" : ".spec.crossplane"
        return [
            column("SYNCED", ".status.conditions[?(@.type=='Synced')].status"),
            column("READY", ".status.conditions[?(@.type=='Ready')].status"),
            column("COMPOSITION", "\(machinery).compositionRef.name"),
            column("COMPOSITIONREVISION", "\(machinery).compositionRevisionRef.name", priority: 1),
            column("AGE", ".metadata.creationTimestamp", type: "date"),
        ]
    }

    static let claimColumns: [Value] = [
        column("SYNCED", ".status.conditions[?(@.type=='Synced')].status"),
        column("READY", ".status.conditions[?(@.type=='Ready')].status"),
        column("CONNECTION-SECRET", ".spec.writeConnectionSecretToRef.name"),
        column("AGE", ".metadata.creationTimestamp", type: "date"),
    ]
}
