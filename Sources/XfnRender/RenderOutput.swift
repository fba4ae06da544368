import XfnCore
import XfnFunctions
import XfnYAML

/// Turns a pipeline's outcome into the documents crossplane render prints: the XR with its Ready
/// condition, the composed resources in name order with the metadata the reconciler would add, then
/// optionally the results and the context.
public enum RenderOutput {
    /// Every condition's `lastTransitionTime`, fixed so renders diff cleanly.
    public static let lastTransitionTime = "2024-01-01T00:00:00Z"

    static let compositionResourceNameAnnotation = "crossplane.io/composition-resource-name"
    static let compositeLabel = "crossplane.io/composite"
    static let claimNameLabel = "crossplane.io/claim-name"
    static let claimNamespaceLabel = "crossplane.io/claim-namespace"
    /// Condition types Crossplane manages itself; functions cannot set them on the XR.
    static let systemConditionTypes: Set<String> = ["Ready", "Synced", "Healthy", "UpToDate", "Responsive"]

    public static func documents(inputs: RenderInputs, outcome: PipelineOutcome, options: RenderOptions) -> [Value] {
        let input = inputs.compositeResource
        let composite = compositeDocument(input: input, outcome: outcome, options: options)
        var documents = [composite]

        let names = outcome.desired.resources.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var observedByName: [String: Value] = [:]
        for resource in inputs.observedResources {
            observedByName[resource.annotations[compositionResourceNameAnnotation] ?? ""] = resource
        }
        for name in names {
            var composed = StructBridge.value(from: outcome.desired.resources[name]!.resource)
            if let observed = observedByName[name] {
                composed.setMetadataString("name", observed.name)
                composed.setMetadataString("namespace", observed.namespace)
                composed.setMetadataString("generateName", observed.generateName)
            }
            setComposedMetadata(&composed, composite: input, name: name)
            documents.append(composed)
        }

        if options.includeFunctionResults {
            for result in outcome.results {
                documents.append([
                    "apiVersion": "render.crossplane.io/v1beta1",
                    "kind": "Result",
                    "step": .string(result.step),
                    "severity": .string(result.severity),
                    "message": .string(result.message),
                ])
            }
        }
        if options.includeContext {
            documents.append([
                "apiVersion": "render.crossplane.io/v1beta1",
                "kind": "Context",
                "fields": .object(outcome.context),
            ])
        }
        return documents
    }

    /// The stream as crossplane render prints it: every document after a `---` line.
    public static func yaml(_ documents: [Value]) -> String {
        documents.map { "---\n" + YAMLWriter.write($0) }.joined()
    }

    static func compositeDocument(input: Value, outcome: PipelineOutcome, options: RenderOptions) -> Value {
        var composite = StructBridge.value(from: outcome.desired.composite.resource)
        if options.includeFullXR {
            composite.set(["metadata"], input["metadata"])
            composite.set(["spec"], input["spec"])
        }
        composite.set(["apiVersion"], .string(input.apiVersion))
        composite.set(["kind"], .string(input.kind))
        composite.setMetadataString("name", input.name)
        composite.setMetadataString("namespace", input.namespace)

        var conditions = composite.value(at: ["status", "conditions"])?.arrayValue ?? []
        setCondition(&conditions, readyCondition(outcome.desired))
        for condition in outcome.conditions where !systemConditionTypes.contains(condition.type) {
            var entry = ValueObject([
                ("type", .string(condition.type)), ("status", .string(condition.status)),
                ("reason", .string(condition.reason)), ("lastTransitionTime", .string(lastTransitionTime)),
            ])
            if let message = condition.message, !message.isEmpty { entry["message"] = .string(message) }
            setCondition(&conditions, .object(entry))
        }
        composite.set(["status", "conditions"], .array(conditions))
        return composite
    }

    /// Available unless the function said the XR is not ready, or left it to the composed resources
    /// and one of those is not ready.
    static func readyCondition(_ desired: FunctionState) -> Value {
        let unready = desired.resources.filter { $0.value.ready != .true }.map(\.key)
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var condition = ValueObject([("type", "Ready"), ("lastTransitionTime", .string(lastTransitionTime))])
        switch desired.composite.ready {
        case .false:
            condition["status"] = "False"
            condition["reason"] = "Creating"
        case .unspecified where !unready.isEmpty:
            condition["status"] = "False"
            condition["reason"] = "Creating"
            condition["message"] = .string("Unready resources: \(firstNames(unready, count: 3))")
        default:
            condition["status"] = "True"
            condition["reason"] = "Available"
        }
        return .object(condition)
    }

    /// "a, b, c, and 2 more": the first names and a count of the rest.
    static func firstNames(_ names: [String], count: Int) -> String {
        guard names.count > count else { return names.joined(separator: ", ") }
        return names.prefix(count).joined(separator: ", ") + ", and \(names.count - count) more"
    }

    /// Replaces a condition of the same type, or appends it.
    static func setCondition(_ conditions: inout [Value], _ condition: Value) {
        let type = condition["type"]?.stringValue
        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
            conditions[index] = condition
        } else {
            conditions.append(condition)
        }
    }

    /// The metadata Crossplane's reconciler gives a composed resource.
    static func setComposedMetadata(_ composed: inout Value, composite: Value, name: String) {
        let compositeLabels = composite.labels
        let prefix = compositeLabels[compositeLabel].flatMap { $0.isEmpty ? nil : $0 } ?? composite.name
        if composed.name.isEmpty && composed.generateName.isEmpty {
            composed.setMetadataString("generateName", prefix + "-")
        }
        if !composite.namespace.isEmpty { composed.setMetadataString("namespace", composite.namespace) }
        composed.addStrings([compositionResourceNameAnnotation: name], at: ["metadata", "annotations"])
        composed.addStrings([compositeLabel: prefix], at: ["metadata", "labels"])

        let claimName = compositeLabels[claimNameLabel] ?? composite.value(at: ["spec", "claimRef", "name"])?.stringValue
            ?? composite.value(at: ["spec", "crossplane", "claimRef", "name"])?.stringValue
        let claimNamespace = compositeLabels[claimNamespaceLabel] ?? composite.value(at: ["spec", "claimRef", "namespace"])?.stringValue
            ?? composite.value(at: ["spec", "crossplane", "claimRef", "namespace"])?.stringValue
        if let claimName, !claimName.isEmpty {
            composed.addStrings([claimNameLabel: claimName, claimNamespaceLabel: claimNamespace ?? ""], at: ["metadata", "labels"])
        }

        let owner: Value = [
            "apiVersion": .string(composite.apiVersion), "kind": .string(composite.kind), "name": .string(composite.name),
            "uid": "", "controller": true, "blockOwnerDeletion": true,
        ]
        var owners = composed.value(at: ["metadata", "ownerReferences"])?.arrayValue ?? []
        owners.removeAll { $0["controller"]?.boolValue == true || ($0["uid"]?.stringValue ?? "") == "" }
        owners.append(owner)
        composed.set(["metadata", "ownerReferences"], .array(owners))
    }
}
