/// The Kubernetes object fields several layers read (validation, render), on plain `Value` documents.
extension Value {
    public var apiVersion: String { self["apiVersion"]?.stringValue ?? "" }
    public var kind: String { self["kind"]?.stringValue ?? "" }
    public var name: String { value(at: ["metadata", "name"])?.stringValue ?? "" }
    public var namespace: String { value(at: ["metadata", "namespace"])?.stringValue ?? "" }
    public var generateName: String { value(at: ["metadata", "generateName"])?.stringValue ?? "" }
    public var labels: [String: String] { stringMap(at: ["metadata", "labels"]) }
    public var annotations: [String: String] { stringMap(at: ["metadata", "annotations"]) }

    /// The string members of the object at `path` (others are left out).
    public func stringMap(at path: [String]) -> [String: String] {
        guard let object = value(at: path)?.objectValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in object { if let text = value.stringValue { result[key] = text } }
        return result
    }
}
