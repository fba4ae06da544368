import XfnCore

/// The Kubernetes object fields render writes, on plain `Value` documents.
extension Value {
    /// Sets a value at a path of object keys, creating objects on the way; `nil` removes the last key.
    /// Like Kubernetes' unstructured setters, an empty string for a metadata string field removes it.
    mutating func set(_ path: [String], _ newValue: Value?) {
        guard let first = path.first else {
            self = newValue ?? .null
            return
        }
        var object = objectValue ?? ValueObject()
        if path.count == 1 {
            object[first] = newValue
        } else {
            var child = object[first] ?? .object(ValueObject())
            if child.objectValue == nil { child = .object(ValueObject()) }
            child.set(Array(path.dropFirst()), newValue)
            object[first] = child
        }
        self = .object(object)
    }

    mutating func setMetadataString(_ field: String, _ text: String) {
        set(["metadata", field], text.isEmpty ? nil : .string(text))
    }

    /// Adds entries to a string map such as labels, keeping what is there.
    mutating func addStrings(_ entries: [String: String], at path: [String]) {
        guard !entries.isEmpty else { return }
        var object = value(at: path)?.objectValue ?? ValueObject()
        for key in entries.keys.sorted() { object[key] = .string(entries[key]!) }
        set(path, .object(object))
    }
}
