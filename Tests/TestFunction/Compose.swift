import XfnCore
import XfnFunctions

/// The `Resources` behaviour: base objects patched from the XR.
enum Compose {
    static func run(input: Value, request: RunFunctionRequest, response: inout RunFunctionResponse) throws {
        let listPath = input["apiVersion"]?.stringValue == Runner.patchAndTransformAPIVersion ? ["resources"] : ["spec", "resources"]
        let listName = listPath.joined(separator: ".")
        guard let entries = input.value(at: listPath)?.arrayValue else {
            throw InputError(description: "input kind Resources needs a list at \(listName)")
        }
        let composite = StructBridge.value(from: request.observed.composite.resource)
        var names: [String] = []
        for (position, entry) in entries.enumerated() {
            guard let name = entry["name"]?.stringValue, !name.isEmpty else {
                throw InputError(description: "\(listName)[\(position)] has no name")
            }
            guard var resource = entry["base"], resource.objectValue != nil else {
                throw InputError(description: "\(listName)[\(position)] (\(name)) has no base object")
            }
            for (index, patch) in (entry["patches"]?.arrayValue ?? []).enumerated() {
                let place = "\(listName)[\(position)].patches[\(index)]"
                if let type = patch["type"]?.stringValue, type != "FromCompositeFieldPath" {
                    throw InputError(description: "\(place): patch type \(type) is not supported; only FromCompositeFieldPath is")
                }
                guard let from = patch["fromFieldPath"]?.stringValue, let to = patch["toFieldPath"]?.stringValue else {
                    throw InputError(description: "\(place) needs fromFieldPath and toFieldPath")
                }
                do {
                    // A value the XR does not have leaves the base as it is, like an optional patch.
                    guard let value = try FieldPath(from).read(from: composite) else { continue }
                    try FieldPath(to).write(value, into: &resource)
                } catch let error as FieldPath.ParseError {
                    throw InputError(description: "\(place): \(error.description)")
                }
            }
            // The step owns this resource's body; readiness set by an earlier step stays.
            var desired = response.desired.resources[name] ?? FunctionResource()
            desired.resource = StructBridge.protobufStruct(from: resource.objectValue!)
            response.desired.resources[name] = desired
            names.append(name)
        }
        response.results.append(.normal("composed \(names.count) resources: \(names.joined(separator: ", "))",
                                        reason: "ComposeResources"))
    }
}
