import Testing
import XfnCore
@testable import XfnSchema

/// Crossplane's defaulting cases (its validate command's TestApplyDefaults), plus the apiserver's rules
/// for nulls, map values and list items.
@Suite struct DefaultingTests {
    static let spec = """
    type: object
    properties:
      deletionPolicy: {type: string, default: Delete}
      forProvider:
        type: object
        properties:
          region: {type: string}
          instanceType: {type: string, default: t3.micro}
      config:
        type: object
        default: {labels: {app: default-app}}
        properties:
          labels: {type: object, additionalProperties: {type: string}}
      tags: {type: array, items: {type: string}, default: [default, tag]}
      nullableWithDefault: {type: string, nullable: true, default: x}
      plain: {type: string, default: yy}
      settings:
        type: object
        additionalProperties: {type: string, default: unset}
      ports:
        type: array
        items:
          type: object
          default: {}
          properties:
            protocol: {type: string, default: TCP}
            port: {type: integer}
    """

    private func defaulted(_ specYAML: String) throws -> Value {
        let schema = try Fixture.schema(spec: Self.spec)
        let object = try Fixture.value("apiVersion: v1\nkind: T\nspec:\n" + specYAML)
        return try #require(schema.applyingDefaults(to: object)["spec"])
    }

    @Test func simpleDefault() throws {
        #expect(try defaulted("  forProvider: {region: us-east-1}\n")["deletionPolicy"] == "Delete")
    }

    @Test func existingValueIsKept() throws {
        #expect(try defaulted("  deletionPolicy: Retain\n")["deletionPolicy"] == "Retain")
    }

    @Test func nestedDefaults() throws {
        let spec = try defaulted("  forProvider: {region: us-west-2}\n")
        #expect(spec["forProvider"] == ["region": "us-west-2", "instanceType": "t3.micro"])
        #expect(spec["deletionPolicy"] == "Delete")
    }

    @Test func objectAndArrayDefaults() throws {
        let spec = try defaulted("  forProvider: {}\n")
        #expect(spec["config"] == ["labels": ["app": "default-app"]])
        #expect(spec["tags"] == ["default", "tag"])
    }

    @Test func noSchemaLeavesTheObjectAlone() throws {
        let schema = try CompiledSchema(openAPIV3Schema: ["type": "object", "x-kubernetes-preserve-unknown-fields": true])
        let object: Value = ["spec": ["a": 1]]
        #expect(schema.applyingDefaults(to: object) == object)
    }

    @Test func nullsAreDefaultedOnlyWhenNotNullable() throws {
        let spec = try defaulted("  nullableWithDefault: null\n  plain: null\n")
        #expect(spec["nullableWithDefault"] == .null)
        #expect(spec["plain"] == "yy")
    }

    @Test func mapValuesAndListItems() throws {
        let spec = try defaulted("  settings: {a: null, b: set}\n  ports: [{port: 80}, null]\n")
        #expect(spec["settings"] == ["a": "unset", "b": "set"])
        #expect(spec["ports"] == [["port": 80, "protocol": "TCP"], ["protocol": "TCP"]])
    }

    @Test func defaultsAreAppliedBeforeValidation() throws {
        let schema = try Fixture.schema(spec: """
        type: object
        required: [mode]
        properties:
          mode: {type: string, default: fast, enum: [fast, slow]}
        """)
        let result = schema.check(try Fixture.value("apiVersion: v1\nkind: T\nspec: {}\n"))
        #expect(result.errors.isEmpty)
        #expect(result.defaulted["spec"]?["mode"] == "fast")
    }
}
