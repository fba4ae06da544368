import XfnCore

/// A field path as patches write them: `spec.parameters.region`, `spec.ports[0]`, `metadata.labels[app.io/name]`.
/// Brackets hold an array index when they hold digits, otherwise an object key that may contain dots.
struct FieldPath: CustomStringConvertible {
    enum Segment: Equatable {
        case key(String)
        case index(Int)
    }

    let description: String
    let segments: [Segment]

    struct ParseError: Error, CustomStringConvertible {
        let description: String
    }

    init(_ text: String) throws {
        description = text
        var segments: [Segment] = []
        var current = ""
        var iterator = text.makeIterator()
        var afterBracket = false
        while let character = iterator.next() {
            switch character {
            case ".":
                if !current.isEmpty { segments.append(.key(current)); current = "" }
                else if !afterBracket { throw ParseError(description: "field path \"\(text)\" has an empty segment") }
                afterBracket = false
            case "[":
                if !current.isEmpty { segments.append(.key(current)); current = "" }
                var inside = ""
                var closed = false
                while let next = iterator.next() {
                    if next == "]" { closed = true; break }
                    inside.append(next)
                }
                guard closed, !inside.isEmpty else { throw ParseError(description: "field path \"\(text)\" has an unclosed or empty [ ]") }
                if let index = Int(inside), index >= 0 { segments.append(.index(index)) } else { segments.append(.key(inside)) }
                afterBracket = true
            default:
                current.append(character)
                afterBracket = false
            }
        }
        if !current.isEmpty { segments.append(.key(current)) }
        guard !segments.isEmpty else { throw ParseError(description: "field path is empty") }
        self.segments = segments
    }

    func read(from value: Value) -> Value? {
        var current = value
        for segment in segments {
            switch segment {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard let items = current.arrayValue, index < items.count else { return nil }
                current = items[index]
            }
        }
        return current
    }

    /// Sets `newValue` at this path, creating objects and growing arrays (with nulls) on the way.
    func write(_ newValue: Value, into value: inout Value) throws {
        value = try Self.write(newValue, segments[...], into: value, path: description)
    }

    private static func write(_ newValue: Value, _ segments: ArraySlice<Segment>, into value: Value, path: String) throws -> Value {
        guard let segment = segments.first else { return newValue }
        let rest = segments.dropFirst()
        switch segment {
        case .key(let key):
            var object: ValueObject
            switch value {
            case .object(let existing): object = existing
            case .null: object = ValueObject()
            default: throw ParseError(description: "cannot set \(path): \"\(key)\" is below a \(value.kubernetesTypeName), not an object")
            }
            object[key] = try write(newValue, rest, into: object[key] ?? .null, path: path)
            return .object(object)
        case .index(let index):
            var items: [Value]
            switch value {
            case .array(let existing): items = existing
            case .null: items = []
            default: throw ParseError(description: "cannot set \(path): [\(index)] is below a \(value.kubernetesTypeName), not an array")
            }
            while items.count <= index { items.append(.null) }
            items[index] = try write(newValue, rest, into: items[index], path: path)
            return .array(items)
        }
    }
}
