import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

enum Fixture {
    static func value(_ yaml: String) throws -> Value {
        try #require(try YAMLReader.read(yaml, file: "fixture.yaml").first).value
    }

    /// The text of an object schema whose `spec` is the given YAML (written as a block from column 0).
    static func schemaText(spec: String) -> String {
        """
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
        \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    /// A schema whose `spec` is the given YAML, compiled.
    static func schema(spec: String) throws -> CompiledSchema {
        try CompiledSchema(openAPIV3Schema: value(schemaText(spec: spec)))
    }

    static func errors(_ schema: CompiledSchema, _ object: String) throws -> [String] {
        schema.check(try value(object)).errors.map(\.description)
    }
}
