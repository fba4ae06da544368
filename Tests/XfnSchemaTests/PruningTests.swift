import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

@Suite struct PruningTests {
    static let spec = """
    type: object
    properties:
      known: {type: string}
      free:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          typed:
            type: object
            properties:
              a: {type: string}
      manifest:
        type: object
        x-kubernetes-embedded-resource: true
        x-kubernetes-preserve-unknown-fields: true
      template:
        type: object
        x-kubernetes-embedded-resource: true
        properties:
          spec:
            type: object
            properties:
              x: {type: string}
      open: {type: object, additionalProperties: true}
    """

    @Test func unknownFieldsArePrunedAndReported() throws {
        let schema = try Fixture.schema(spec: Self.spec)
        let object = try Fixture.value("""
        apiVersion: v1
        kind: T
        metadata: {name: a, labels: {x: z}}
        extra: 1
        spec:
          known: k
          bogus: b
          free: {anything: 1, typed: {a: x, b: y}}
          manifest: {apiVersion: v1, kind: ConfigMap, metadata: {name: cm}, data: {k: v}}
          template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {x: a, w: b}, status: {}}
          open: {k: {nested: 1}, s: 2}
        """)
        let (pruned, paths) = schema.pruning(object)
        #expect(paths.map(\.description) == [
            "extra", "spec.bogus", "spec.free.typed.b", "spec.open.k.nested", "spec.template.spec.w", "spec.template.status",
        ])
        #expect(pruned["metadata"] == ["name": "a", "labels": ["x": "z"]])
        #expect(pruned["spec"]?["free"] == ["anything": 1, "typed": ["a": "x"]])
        #expect(pruned["spec"]?["manifest"]?["data"] == ["k": "v"])
        #expect(pruned["spec"]?["template"] == ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["x": "a"]])
        #expect(pruned["spec"]?["open"] == ["k": [:], "s": 2])
    }

    @Test func listTypesReportDuplicates() throws {
        let schema = try Fixture.schema(spec: """
        type: object
        properties:
          tags: {type: array, x-kubernetes-list-type: set, items: {type: string}}
          ports:
            type: array
            x-kubernetes-list-type: map
            x-kubernetes-list-map-keys: [port, protocol]
            items:
              type: object
              properties:
                port: {type: integer}
                protocol: {type: string}
                name: {type: string}
        """)
        let object = try Fixture.value("""
        spec:
          tags: [a, b, a]
          ports:
          - {port: 80, protocol: TCP, name: http}
          - {port: 80, protocol: UDP}
          - {port: 80, protocol: TCP, name: again}
        """)
        #expect(schema.validateListTypes(object).map(\.description) == [
            #"spec.tags[2]: Duplicate value: "a""#,
            #"spec.ports[2]: Duplicate value: {"port":80,"protocol":"TCP"}"#,
        ])
        #expect(schema.check(object).errors.isEmpty)
        #expect(schema.check(object, options: .init(checkListTypes: true)).errors.count == 2)
    }

    @Test func rulesAreKeptAndRunOnThePrunedObject() throws {
        let schema = try Fixture.schema(spec: """
        type: object
        x-kubernetes-validations:
        - rule: "self.min <= self.max"
          message: min must not exceed max
          reason: FieldValueInvalid
        properties:
          min: {type: integer}
          max: {type: integer}
          name:
            type: string
            x-kubernetes-validations:
            - {rule: "false", messageExpression: "'bad ' + self", fieldPath: ".x", optionalOldSelf: true}
        """)
        let specNode = try #require(schema.root.properties["spec"])
        #expect(specNode.rules == [ValidationRule(rule: "self.min <= self.max", message: "min must not exceed max", reason: "FieldValueInvalid")])
        let nameRule = try #require(specNode.properties["name"]?.rules.first)
        #expect(nameRule.messageExpression == "'bad ' + self")
        #expect(nameRule.fieldPath == ".x")
        #expect(nameRule.optionalOldSelf)
        #expect(schema.hasRules)
        let object = try Fixture.value("apiVersion: v1\nkind: T\nspec: {min: 1, max: 2, name: nn, junk: 1}\n")
        let result = schema.check(object, options: .init(ruleEvaluator: CELRuleEvaluator()))
        // Rules run on the pruned object; `fieldPath` moves the error, `messageExpression` words it.
        #expect(result.errors.map(\.description) == [
            #"spec.junk: Invalid value: "junk": unknown field: "junk""#,
            #"spec.name.x: Invalid value: "string": bad nn"#,
        ])
        #expect(result.errors.map(\.source) == [.unknownField, .rule])
    }
}
