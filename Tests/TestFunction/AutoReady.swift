import XfnCore
import XfnFunctions

/// The `AutoReady` behaviour: readiness of desired resources from their observed conditions.
enum AutoReady {
    static func run(request: RunFunctionRequest, response: inout RunFunctionResponse) {
        let names = response.desired.resources.keys.sorted()
        var ready: [String] = []
        for name in names {
            guard var desired = response.desired.resources[name] else { continue }
            // A readiness another step decided is kept.
            if desired.ready == .unspecified, let observed = request.observed.resources[name],
               isReady(StructBridge.value(from: observed.resource)) {
                desired.ready = .true
                response.desired.resources[name] = desired
            }
            if response.desired.resources[name]?.ready == .true { ready.append(name) }
        }

        var composite = StructBridge.value(from: response.desired.composite.resource)
        var status = composite["status"]?.objectValue ?? ValueObject()
        status["readyResources"] = .int(Int64(ready.count))
        status["totalResources"] = .int(Int64(names.count))
        if case .object(var object) = composite {
            object["status"] = .object(status)
            composite = .object(object)
        }
        response.desired.composite.resource = StructBridge.protobufStruct(from: composite.objectValue ?? ValueObject())

        let waiting = names.filter { !ready.contains($0) }
        var condition = FunctionCondition()
        condition.type = "ResourcesReady"
        condition.target = .composite
        if waiting.isEmpty {
            condition.status = .conditionTrue
            condition.reason = "AllReady"
        } else {
            condition.status = .conditionFalse
            condition.reason = "WaitingForResources"
            condition.message = "waiting for \(waiting.joined(separator: ", "))"
        }
        response.conditions.append(condition)
        response.results.append(.normal("\(ready.count) of \(names.count) composed resources are ready", reason: "AutoReady"))
    }

    /// True when `status.conditions` has `type: Ready` with `status: "True"`.
    static func isReady(_ resource: Value) -> Bool {
        for condition in resource.value(at: ["status", "conditions"])?.arrayValue ?? [] {
            if condition["type"]?.stringValue == "Ready" { return condition["status"]?.stringValue == "True" }
        }
        return false
    }
}
