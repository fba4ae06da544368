import XfnCore
import XfnFunctions

/// Answers a function's requirements from the files given on the command line, as crossplane render
/// does: resources match on apiVersion and kind, then on name (the first match) or on labels (every
/// match), in name order; the selector's namespace is not consulted. Unanswered requirements get an
/// empty answer, which tells the function the resource or schema does not exist.
struct RequirementsResolver: Sendable {
    let resources: [Value]
    let schemas: [Value]

    init(resources: [Value], schemas: [Value]) {
        self.resources = resources.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        self.schemas = schemas
    }

    func resolve(_ selector: FunctionResourceSelector) -> FunctionResources {
        let candidates = resources.filter { $0.apiVersion == selector.apiVersion && $0.kind == selector.kind }
        var matches: [Value] = []
        switch selector.match {
        case .matchName(let name):
            if let first = candidates.first(where: { $0.name == name }) { matches = [first] }
        case .matchLabels(let selectorLabels):
            matches = candidates.filter { candidate in
                let labels = candidate.labels
                return selectorLabels.labels.allSatisfy { labels[$0.key] == $0.value }
            }
        case .none:
            matches = []
        }
        var answer = FunctionResources()
        answer.items = matches.map { match in
            var resource = FunctionResource()
            resource.resource = StructBridge.protobufStruct(from: match) ?? .init()
            return resource
        }
        return answer
    }

    /// Finds the schema of apiVersion/kind in the OpenAPI documents by its `x-kubernetes-group-version-kind`.
    func resolveSchema(apiVersion: String, kind: String) -> FunctionSchema {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        var answer = FunctionSchema()
        for document in schemas {
            guard let definitions = document.value(at: ["components", "schemas"])?.objectValue else { continue }
            for (_, schema) in definitions {
                let gvks = schema["x-kubernetes-group-version-kind"]?.arrayValue ?? []
                let found = gvks.contains { gvk in
                    (gvk["group"]?.stringValue ?? "") == group && gvk["version"]?.stringValue == version
                        && gvk["kind"]?.stringValue == kind
                }
                if found, let structValue = StructBridge.protobufStruct(from: schema) {
                    answer.openapiV3 = structValue
                    return answer
                }
            }
        }
        return answer
    }

    /// A step's `requirements` block, answered before its first call.
    func bootstrap(_ step: Value) -> (resources: [String: FunctionResources], schemas: [String: FunctionSchema]) {
        var resourcesAnswer: [String: FunctionResources] = [:]
        var schemasAnswer: [String: FunctionSchema] = [:]
        for entry in step.value(at: ["requirements", "requiredResources"])?.arrayValue ?? [] {
            guard let key = entry["requirementName"]?.stringValue else { continue }
            var selector = FunctionResourceSelector()
            selector.apiVersion = entry["apiVersion"]?.stringValue ?? ""
            selector.kind = entry["kind"]?.stringValue ?? ""
            if let name = entry["name"]?.stringValue {
                selector.matchName = name
            } else if let labels = entry["matchLabels"]?.objectValue {
                var match = Apiextensions_Fn_Proto_V1_MatchLabels()
                for (label, value) in labels { match.labels[label] = value.stringValue ?? "" }
                selector.matchLabels = match
            }
            if let namespace = entry["namespace"]?.stringValue { selector.namespace = namespace }
            resourcesAnswer[key] = resolve(selector)
        }
        for entry in step.value(at: ["requirements", "requiredSchemas"])?.arrayValue ?? [] {
            guard let key = entry["requirementName"]?.stringValue else { continue }
            schemasAnswer[key] = resolveSchema(apiVersion: entry["apiVersion"]?.stringValue ?? "", kind: entry["kind"]?.stringValue ?? "")
        }
        return (resourcesAnswer, schemasAnswer)
    }
}
