import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

/// Error texts as Kubernetes 1.35 prints them.
@Suite struct ErrorWordingTests {
    static let spec = """
    type: object
    required: [replicas]
    properties:
      replicas: {type: integer}
      country: {type: string}
      name: {type: string, minLength: 3, maxLength: 5, pattern: '^[a-z]+$'}
      one: {type: string, maxLength: 1}
      policy: {type: string, enum: [Orphan, Delete]}
      level: {type: integer, enum: [1, 2]}
      size: {type: number, maximum: 1000000, minimum: 0.5, exclusiveMinimum: true}
      count: {type: integer, minimum: 1, maximum: 10, multipleOf: 2}
      list: {type: array, minItems: 2, maxItems: 3, items: {type: string}}
      labels: {type: object, additionalProperties: {type: string}, maxProperties: 2}
      items:
        type: array
        items:
          type: object
          required: [name]
          properties:
            name: {type: string}
      when: {type: string, format: date-time}
      id: {type: string, format: uuid}
      opt: {type: string, nullable: true}
      port:
        x-kubernetes-int-or-string: true
      closed:
        type: object
        additionalProperties: false
        properties:
          a: {type: string}
      choice:
        type: object
        anyOf:
        - required: [a]
        - required: [b]
        properties:
          a: {type: string}
          b: {type: string}
    """

    private func errors(_ specYAML: String) throws -> [String] {
        try Fixture.errors(Fixture.schema(spec: Self.spec), "apiVersion: test.org/v1\nkind: Test\nmetadata: {name: t}\nspec:\n" + specYAML)
    }

    @Test func validObjectHasNoErrors() throws {
        #expect(try errors("  replicas: 1\n  name: abc\n  port: http\n  opt: null\n  choice: {b: x}\n") == [])
        #expect(try errors("  replicas: 1.0\n  size: 1e6\n  count: 4\n  port: 8080\n") == [])
    }

    @Test func typeMismatch() throws {
        #expect(try errors("  replicas: \"string\"\n") == [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
        ])
        #expect(try errors("  replicas: 1.5\n") == [
            #"spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number""#,
        ])
    }

    @Test func norwayProblemIsATypeError() throws {
        #expect(try errors("  replicas: 1\n  country: NO\n") == [
            #"spec.country: Invalid value: "boolean": spec.country in body must be of type string: "boolean""#,
        ])
        #expect(try errors("  replicas: 1\n  country: \"NO\"\n") == [])
    }

    @Test func requiredAndNull() throws {
        #expect(try Fixture.errors(Fixture.schema(spec: Self.spec), "apiVersion: v1\nkind: Test\nspec: {}\n") == [
            "spec.replicas: Required value",
        ])
        #expect(try errors("  replicas: 1\n  country: null\n  opt: ~\n") == [
            #"spec.country: Invalid value: "null": spec.country in body must be of type string: "null""#,
        ])
        #expect(try errors("  replicas: 1\n  items: [{name: a}, {}]\n") == ["spec.items[1].name: Required value"])
    }

    @Test func strings() throws {
        #expect(try errors("  replicas: 1\n  name: ab\n") == [
            #"spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long"#,
        ])
        #expect(try errors("  replicas: 1\n  name: abcdef\n") == ["spec.name: Too long: may not be more than 5 bytes"])
        #expect(try errors("  replicas: 1\n  one: ab\n") == ["spec.one: Too long: may not be more than 1 byte"])
        #expect(try errors("  replicas: 1\n  name: ABC\n") == [
            #"spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$'"#,
        ])
        // Lengths count code points, not bytes.
        #expect(try errors("  replicas: 1\n  name: ééééé\n") == [
            #"spec.name: Invalid value: "ééééé": spec.name in body should match '^[a-z]+$'"#,
        ])
    }

    @Test func enums() throws {
        #expect(try errors("  replicas: 1\n  policy: Foo\n") == [
            #"spec.policy: Unsupported value: "Foo": supported values: "Orphan", "Delete""#,
        ])
        #expect(try errors("  replicas: 1\n  level: 3\n") == [#"spec.level: Unsupported value: 3: supported values: "1", "2""#])
        #expect(try errors("  replicas: 1\n  level: 2.0\n") == [])
    }

    @Test func enumComparisonFollowsGoConversions() throws {
        let schema = try Fixture.schema(spec: """
        type: object
        properties:
          ratio: {type: number, enum: [1, 2]}
          letter: {enum: [A]}
          pair: {type: array, enum: [[1, 2]]}
        """)
        // A float converts to the integer entry's type, truncating.
        #expect(try Fixture.errors(schema, "spec: {ratio: 2.5}") == [])
        #expect(try Fixture.errors(schema, "spec: {ratio: 3.5}") == [#"spec.ratio: Unsupported value: 3.5: supported values: "1", "2""#])
        // An integer converts to a string as a code point.
        #expect(try Fixture.errors(schema, "spec: {letter: 65}") == [])
        #expect(try Fixture.errors(schema, "spec: {pair: [1, 2]}") == [])
        #expect(try Fixture.errors(schema, "spec: {pair: [1, 2.5]}") == [#"spec.pair: Unsupported value: [1,2.5]: supported values: "[1,2]""#])
    }

    @Test func numbers() throws {
        #expect(try errors("  replicas: 1\n  size: 1500000.5\n") == [
            "spec.size: Invalid value: 1.5000005e+06: spec.size in body should be less than or equal to 1e+06",
        ])
        #expect(try errors("  replicas: 1\n  size: 0.5\n") == [
            "spec.size: Invalid value: 0.5: spec.size in body should be greater than 0.5",
        ])
        // Integer data is compared with the bound converted to an integer, and printed as one.
        #expect(try errors("  replicas: 1\n  size: 2000000\n") == [
            "spec.size: Invalid value: 2000000: spec.size in body should be less than or equal to 1000000",
        ])
        #expect(try errors("  replicas: 1\n  count: 0\n") == [
            "spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1",
        ])
        #expect(try errors("  replicas: 1\n  count: 11\n") == [
            "spec.count: Invalid value: 11: spec.count in body should be a multiple of 2",
            "spec.count: Invalid value: 11: spec.count in body should be less than or equal to 10",
        ])
    }

    @Test func arraysAndMaps() throws {
        #expect(try errors("  replicas: 1\n  list: [a]\n") == [
            "spec.list: Invalid value: 1: spec.list in body should have at least 2 items",
        ])
        #expect(try errors("  replicas: 1\n  list: [a, b, c, d]\n") == ["spec.list: Too many: 4: must have at most 3 items"])
        #expect(try errors("  replicas: 1\n  list: [a, 1]\n") == [
            #"spec.list[1]: Invalid value: "integer": spec.list[1] in body must be of type string: "integer""#,
        ])
        #expect(try errors("  replicas: 1\n  labels: {foo: 1}\n") == [
            #"spec.labels.foo: Invalid value: "integer": spec.labels.foo in body must be of type string: "integer""#,
        ])
        #expect(try errors("  replicas: 1\n  labels: {a: x, b: y, c: z}\n") == ["spec.labels: Too many: 3: must have at most 2 items"])
        #expect(try errors("  replicas: 1\n  closed: {a: x, b: y}\n") == [
            #"spec.closed: Invalid value: "b": spec.closed.b in body is a forbidden property"#,
        ])
    }

    @Test func formats() throws {
        #expect(try errors("  replicas: 1\n  when: yesterday\n") == [
            #"spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday""#,
        ])
        #expect(try errors("  replicas: 1\n  when: 2024-02-29T10:00:00Z\n  id: 123e4567-e89b-12d3-a456-426614174000\n") == [])
        #expect(try errors("  replicas: 1\n  when: 2023-02-29T10:00:00Z\n").count == 1)
    }

    @Test func intOrString() throws {
        #expect(try errors("  replicas: 1\n  port: true\n") == [
            #"spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean""#,
        ])
    }

    @Test func anyOf() throws {
        #expect(try errors("  replicas: 1\n  choice: {}\n") == [
            #"<nil>: Invalid value: "": "spec.choice" must validate at least one schema (anyOf)"#,
            "spec.choice.a: Required value",
        ])
    }

    @Test func failedAnyOfReportsTheBranchThatMatchedMost() throws {
        let schema = try Fixture.schema(spec: """
        type: object
        properties:
          v:
            anyOf:
            - type: string
            - type: object
              properties:
                x: {type: integer}
        """)
        // Value validation only: `x` is declared inside anyOf, so pruning would also drop it as unknown.
        func errors(_ text: String) throws -> [String] { schema.validateValues(try Fixture.value(text)).map(\.description) }
        #expect(try errors("spec: {v: {x: s}}") == [
            #"<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)"#,
            #"spec.v.x: Invalid value: "string": spec.v.x in body must be of type integer: "string""#,
        ])
        #expect(try errors("spec: {v: true}") == [
            #"<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)"#,
            #"spec.v: Invalid value: "boolean": spec.v in body must be of type string: "boolean""#,
        ])
    }

    @Test func unknownFields() throws {
        #expect(try errors("  replicas: 1\n  unknownField: x\n  items: [{name: a, extra: 1}]\n") == [
            #"spec.items[0].extra: Invalid value: "extra": unknown field: "extra""#,
            #"spec.unknownField: Invalid value: "unknownField": unknown field: "unknownField""#,
        ])
    }

    @Test func errorsCarryPathsForPositions() throws {
        let text = "apiVersion: v1\nkind: Test\nspec:\n  replicas: 1\n  items:\n  - name: a\n  - name: 3\n"
        let document = try #require(try YAMLReader.read(text, file: "o.yaml").first)
        let result = try Fixture.schema(spec: Self.spec).check(document.value)
        let error = try #require(result.errors.first)
        #expect(error.path == FieldPath.root.child("spec").child("items").index(1).child("name"))
        #expect(document.positions[error.path] == SourcePosition(line: 7, column: 5))
        #expect(error.kind == .typeInvalid)
        #expect(error.renderedValue == #""integer""#)

        let missing = try #require(try YAMLReader.read("apiVersion: v1\nkind: Test\nspec:\n  items:\n  - {}\n", file: "m.yaml").first)
        let errors = try Fixture.schema(spec: Self.spec).check(missing.value).errors
        #expect(errors.map(\.description) == ["spec.items[0].name: Required value", "spec.replicas: Required value"])
        #expect(errors.map { missing.position(of: $0) } == [SourcePosition(line: 5, column: 5), SourcePosition(line: 3, column: 1)])
    }

    @Test func invalidPatternIsACompileError() throws {
        #expect(throws: SchemaError.self) { try Fixture.schema(spec: "type: string\npattern: '(?=x)'") }
        #expect(throws: SchemaError.self) { try Fixture.schema(spec: "type: string\npattern: '(a'") }
        #expect(throws: SchemaError.self) { try Fixture.schema(spec: "type: object\nproperties: {a: {$ref: '#/x'}}") }
    }
}
