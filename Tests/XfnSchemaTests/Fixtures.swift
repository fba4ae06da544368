import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

enum Fixture {
    static func value(_ yaml: String) throws -> Value {
        try #require(try YAMLReader.read(yaml, file: "fixture.yaml").first).value
    }

    /// A schema whose `spec` is the given YAML (indented as a block under `spec:`).
    static func schema(spec: String) throws -> CompiledSchema {
        let text = """
        type: object
        properties:
          apiVersion: {type: string}
          kind: {type: string}
          metadata: {type: object}
          spec:
        \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
        """
        return try CompiledSchema(openAPIV3Schema: value(text))
    }

    static func errors(_ schema: CompiledSchema, _ object: String) throws -> [String] {
        schema.check(try value(object)).errors.map(\.description)
    }
}
