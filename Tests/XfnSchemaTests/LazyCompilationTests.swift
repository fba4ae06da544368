import Foundation
import Testing
import XfnCEL
import XfnCore
import XfnTestSupport
import XfnYAML
@testable import XfnSchema

/// Schemas known to compile are compiled node by node as checking reaches them; what checking
/// reports must not depend on that.
@Suite struct LazyCompilationTests {
    static let deepError = Fixture.schemaText(spec: """
    type: object
    properties:
      size: {type: integer}
      network:
        type: object
        properties:
          cidr: {type: string, pattern: "(?=lookahead)"}
    """)

    @Test func aDeepErrorIsThrownUpFrontOrMetWhenCheckingReachesIt() throws {
        let schema = try Fixture.value(Self.deepError)
        let eager = #expect(throws: SchemaError.self) { try CompiledSchema(openAPIV3Schema: schema, subject: "nets.example.org version v1") }
        let lazy = try CompiledSchema(compiledBefore: schema, subject: "nets.example.org version v1")

        _ = lazy.check(try Fixture.value("apiVersion: example.org/v1\nkind: Net\nspec: {size: 1}"))
        #expect(lazy.lateError == nil, "the broken node was not reached")

        _ = lazy.check(try Fixture.value("apiVersion: example.org/v1\nkind: Net\nspec: {network: {cidr: 10.0.0.0/8}}"))
        let late = try #require(lazy.lateError)
        #expect(late == eager)
        #expect(late.message.contains("nets.example.org version v1"))
        #expect(late.location == "openAPIV3Schema.properties[spec].properties[network].properties[cidr].pattern")
    }

    /// Each property is compiled when a value first reaches it, not with its siblings.
    @Test func aBrokenSiblingIsMetOnlyWhenAValueReachesIt() throws {
        let schema = try Fixture.value(Fixture.schemaText(spec: """
        type: object
        properties:
          size: {type: integer}
          label: {type: string, minLength: x}
          mode: {type: string, default: fast}
        """))
        let lazy = try CompiledSchema(compiledBefore: schema, subject: "nets.example.org version v1")

        let first = lazy.check(try Fixture.value("apiVersion: example.org/v1\nkind: Net\nspec: {size: 1}"))
        #expect(lazy.lateError == nil, "the broken sibling was not reached")
        #expect(first.defaulted["spec"]?["mode"] == "fast", "a property with a default is compiled for the defaulter")

        _ = lazy.check(try Fixture.value("apiVersion: example.org/v1\nkind: Net\nspec: {label: x}"))
        let late = try #require(lazy.lateError)
        #expect(late.location == "openAPIV3Schema.properties[spec].properties[label].minLength")
    }

    @Test func theFirstErrorOfSeveralIsTheOneAWholeCompilationAlwaysReported() throws {
        // The child's error comes before the parent's `nullable` error in the compiler's order.
        let schema = try Fixture.value("""
        type: object
        nullable: "yes"
        properties:
          a: {type: string, minLength: x}
        """)
        #expect(throws: SchemaError(location: "openAPIV3Schema.properties[a].minLength", reason: "must be an integer")) {
            try CompiledSchema(openAPIV3Schema: schema)
        }
    }

    @Test func lazyAndWholeCompilationCheckAlike() throws {
        let schema = try Fixture.value(Fixture.schemaText(spec: """
        type: object
        required: [replicas]
        x-kubernetes-validations:
        - rule: self.replicas <= self.max
          message: too many
        properties:
          replicas: {type: integer, minimum: 1}
          max: {type: integer, default: 3}
          mode: {type: string, enum: [a, b], default: a}
          labels: {type: object, additionalProperties: {type: string, maxLength: 3}}
          ports:
            type: array
            x-kubernetes-list-type: map
            x-kubernetes-list-map-keys: [name]
            items:
              type: object
              required: [name]
              properties:
                name: {type: string}
                port: {type: integer, maximum: 65535}
          choice:
            anyOf:
            - {type: integer}
            - {type: string, pattern: "^[a-z]+$"}
        """))
        let eager = try CompiledSchema(openAPIV3Schema: schema)
        let lazy = try CompiledSchema(compiledBefore: schema)
        let rules = CELRuleEvaluator()
        let options = CompiledSchema.Options(checkListTypes: true, ruleEvaluator: rules)
        let objects = [
            "spec: {replicas: 1}",
            "spec: {replicas: 5, unknown: 1, labels: {a: long-value}, mode: c}",
            "spec: {replicas: 0, ports: [{name: a, port: 70000}, {name: a}, {port: 1}]}",
            "spec: {replicas: 2, max: null, choice: 'UPPER'}",
            "spec: {ports: not-a-list, choice: 3}",
        ]
        for text in objects {
            let object = try Fixture.value("apiVersion: example.org/v1\nkind: Thing\n" + text)
            let expected = eager.check(object, options: options)
            let actual = lazy.check(object, options: options)
            #expect(actual.errors.map(\.description) == expected.errors.map(\.description), "\(text)")
            #expect(actual.defaulted == expected.defaulted)
            #expect(actual.pruned == expected.pruned)
        }
        #expect(lazy.lateError == nil)
    }

    @Test func oneLazySchemaCheckedFromManyTasksAtOnce() async throws {
        var properties = ""
        for i in 0..<60 {
            properties += "\n      f\(i): {type: object, properties: {v: {type: integer, maximum: \(i)}, s: {type: string, default: d\(i)}}}"
        }
        let schema = try Fixture.value("""
        type: object
        properties:
          spec:
            type: object
            properties:\(properties)
        """)
        let eager = try CompiledSchema(openAPIV3Schema: schema)
        let objects = try (0..<60).map { i in try Fixture.value("spec: {f\(i): {v: \(i + i % 2)}, f\((i + 7) % 60): {v: 0, x: 1}}") }
        let expected = objects.map { eager.check($0).errors.map(\.description) }
        for _ in 0..<5 {
            let lazy = try CompiledSchema(compiledBefore: schema)
            let results = await withTaskGroup(of: (Int, [String]).self) { group in
                for (index, object) in objects.enumerated() {
                    group.addTask { (index, lazy.check(object).errors.map(\.description)) }
                }
                var results = [[String]](repeating: [], count: objects.count)
                for await (index, errors) in group { results[index] = errors }
                return results
            }
            #expect(results == expected)
            #expect(lazy.lateError == nil)
        }
    }

    /// The CEL type of `self` is read from the schema as written; it must be the type of the
    /// compiled node, for every node of real CRDs.
    @Test func ruleTypesReadFromTheWrittenSchemaMatchTheCompiledNodes() throws {
        var compared = 0
        for provider in ["provider-kubernetes", "provider-helm"] {
            let directory = try SharedData.directory("corpus/provider-crds/\(provider)")
            for file in try CorpusTests.yamlFiles(in: directory, recursive: false) {
                for document in try YAMLReader.read(Data(contentsOf: file), file: file.lastPathComponent) {
                    guard document.value["kind"] == "CustomResourceDefinition" else { continue }
                    for version in try CustomResourceSchema.versions(ofCRD: document.value) {
                        compared += Self.compareTypes(version.schema.root)
                    }
                }
            }
        }
        let aws = try SharedData.directory("corpus/provider-crds/provider-upjet-aws")
        for file in try CorpusTests.yamlFiles(in: aws, recursive: false).prefix(60) {
            for document in try YAMLReader.read(Data(contentsOf: file), file: file.lastPathComponent) {
                guard document.value["kind"] == "CustomResourceDefinition" else { continue }
                for version in try CustomResourceSchema.versions(ofCRD: document.value) {
                    compared += Self.compareTypes(version.schema.root)
                }
            }
        }
        #expect(compared > 1000)
    }

    private static func compareTypes(_ node: SchemaNode) -> Int {
        var compared = 1
        #expect(CELRuleEvaluator.celType(written: node.written, isResource: true) == CELRuleEvaluator.celType(node, isResource: true))
        let children = node.children
        for name in children.properties.names { compared += compareTypes(children.property(name)!) }
        if let items = children.items { compared += compareTypes(items) }
        if let extra = children.additionalPropertiesSchema { compared += compareTypes(extra) }
        return compared
    }

    @Test func escapedNamesMatchTheCELLibrary() {
        for name in ["region", "forProvider", "in", "namespace", "x-y", "a.b", "a__b", "_x", "9lives", "Ünïcode", "camelCase2", "", "as", "AS"] {
            #expect(CELRuleEvaluator.escapedName(name) == CELPropertyNames.escape(name), "\(name)")
        }
    }
}
