import Synchronization
import XfnCore

/// A node's declared `properties`: their names in the schema's order and each one's node. The nodes
/// are compiled with their parent, or, for a schema known to compile, each on first use: an upjet
/// `forProvider` declares hundreds of properties and a resource sets a handful.
struct DeclaredProperties: Sendable {
    /// The `properties` object as written: the names in order, and the lookup by name.
    private let written: ValueObject
    /// One per property, in the same order.
    private let slots: [Slot]
    /// The properties that have a default, in order; the defaulter visits them for every object.
    let defaulted: [(name: String, node: SchemaNode)]

    private enum Slot: Sendable {
        case compiled(SchemaNode)
        case pending(PendingProperty)

        var node: SchemaNode {
            switch self {
            case .compiled(let node): node
            case .pending(let pending): pending.node
            }
        }
    }

    static let none = DeclaredProperties(written: ValueObject(), slots: [])

    private init(written: ValueObject, slots: [Slot]) {
        self.written = written
        self.slots = slots
        var defaulted: [(name: String, node: SchemaNode)] = []
        for (offset, slot) in slots.enumerated() {
            let name = written.entry(at: offset).key
            switch slot {
            case .compiled(let node):
                if node.defaultValue != nil { defaulted.append((name, node)) }
            case .pending(let pending):
                if pending.hasDefault { defaulted.append((name, pending.node)) }
            }
        }
        self.defaulted = defaulted
    }

    /// Every property compiled now; the first error in schema order is thrown.
    static func compiled(_ written: ValueObject, at location: SchemaLocation,
                         compile: (Value, SchemaLocation) throws -> SchemaNode) rethrows -> DeclaredProperties {
        var slots: [Slot] = []
        slots.reserveCapacity(written.count)
        for (name, schema) in written {
            slots.append(.compiled(try compile(schema, location.child(.property(name)))))
        }
        return DeclaredProperties(written: written, slots: slots)
    }

    /// Each property compiled when first asked for; an error then goes to `failures`.
    static func pending(_ written: ValueObject, at location: SchemaLocation, depth: Int, failures: LateFailures) -> DeclaredProperties {
        DeclaredProperties(written: written, slots: written.map { name, schema in
            .pending(PendingProperty(schema: schema, parent: location, name: name, depth: depth, failures: failures))
        })
    }

    var isEmpty: Bool { slots.isEmpty }
    var count: Int { slots.count }
    var names: [String] { written.keys }

    /// The property's position in the schema's order.
    func position(of name: String) -> Int? { written.position(of: name) }

    func contains(_ name: String) -> Bool { written.position(of: name) != nil }

    func name(at position: Int) -> String { written.entry(at: position).key }

    func node(at position: Int) -> SchemaNode { slots[position].node }

    func node(named name: String) -> SchemaNode? { written.position(of: name).map { slots[$0].node } }

    /// Every property with its node, compiling those still pending.
    var all: [(name: String, node: SchemaNode)] {
        slots.indices.map { (written.entry(at: $0).key, slots[$0].node) }
    }
}

/// A property's node, compiled once by whichever thread first needs it (threads racing to it
/// compile the same thing; one result is kept).
private final class PendingProperty: Sendable {
    private let compiled = OnceReference<SchemaNode>()
    private let schema: Value
    private let parent: SchemaLocation
    private let name: String
    private let depth: Int
    private let failures: LateFailures

    init(schema: Value, parent: SchemaLocation, name: String, depth: Int, failures: LateFailures) {
        self.schema = schema
        self.parent = parent
        self.name = name
        self.depth = depth
        self.failures = failures
    }

    var hasDefault: Bool { schema.objectValue?.contains("default") ?? false }

    var node: SchemaNode {
        if let known = compiled.load() { return known }
        let built: SchemaNode
        do {
            built = try SchemaCompiler.compile(schema, at: parent.child(.property(name)), depth: depth, mode: .lazy(failures))
        } catch {
            // Only a schema recorded as compiling is compiled lazily, so this means the record was
            // wrong; the schema is reported as invalid, and the node stands in without checking anything.
            failures.record(error)
            built = SchemaNode.unchecked
        }
        return compiled.storeIfNil(built)
    }
}
