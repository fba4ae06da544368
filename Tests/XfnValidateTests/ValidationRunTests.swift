import Foundation
import Testing
import XfnCore
import XfnSchema
import XfnYAML
@testable import XfnValidate

/// The run over files, after crossplane's `TestValidateResources`, `TestValidateUnknownFields` and
/// `TestApplyDefaults`, plus what xfn adds: positions, sorting, composition inputs, broken YAML.
@Suite struct ValidationRunTests {
    @Test func validResourcePasses() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test())
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"])
        #expect(report.summary == ValidationReport.Summary(total: 1, valid: 1, invalid: 0, missingSchemas: 0))
        #expect(report.results.first?.name == "test")
        #expect(!report.failed(errorOnMissingSchemas: true))
    }

    @Test func wrongTypeFailsWithKubernetesWording() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test(replicas: "non-integer"))
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"])
        let result = try #require(report.results.first)
        #expect(result.status == .invalid)
        #expect(result.findings.map(\.message) == [
            #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string""#,
        ])
        #expect(result.findings.first?.position == SourcePosition(line: 6, column: 3))
        #expect(report.failed(errorOnMissingSchemas: false))
    }

    @Test func missingSchemaFailsOnlyWhenAsked() async throws {
        let workspace = try Workspace()
        try workspace.write("test.yaml", Fixtures.test())
        let report = try await workspace.run(inputs: ["test.yaml"])
        #expect(report.summary == ValidationReport.Summary(total: 1, valid: 0, invalid: 0, missingSchemas: 1))
        #expect(report.results.first?.status == .missingSchema)
        #expect(!report.failed(errorOnMissingSchemas: false))
        #expect(report.failed(errorOnMissingSchemas: true))
    }

    @Test func presentSchemaWithTheMissingSchemaFlagPasses() async throws {
        let workspace = try Workspace()
        try workspace.write("all.yaml", Fixtures.testCRD + "\n---\n" + Fixtures.test())
        let report = try await workspace.run(inputs: ["all.yaml"])
        #expect(report.summary.total == 1)
        #expect(!report.failed(errorOnMissingSchemas: true))
    }

    @Test func unknownFieldIsReportedOnce() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", Fixtures.test(extra: "\n  unknownField: 7"))
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"])
        let findings = try #require(report.results.first).findings
        #expect(findings.count == 1)
        #expect(findings.first?.kind == .unknownField)
        #expect(findings.first?.field == "spec.unknownField")
        #expect(findings.first?.value == "unknownField")
        #expect(findings.first?.message == #"spec.unknownField: Invalid value: "unknownField": unknown field: "unknownField""#)
        #expect(findings.first?.position == SourcePosition(line: 7, column: 3))
    }

    @Test func resourceNameFallsBackToTheCompositionResourceAnnotation() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("test.yaml", """
            apiVersion: test.org/v1alpha1
            kind: Test
            metadata:
              annotations:
                crossplane.io/composition-resource-name: bucket
            spec:
              replicas: 2
            """)
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"])
        #expect(report.results.first?.name == "bucket")
    }

    @Test func celRulesRunWhenAnEvaluatorIsGiven() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD(rule: ("self.replicas < 10", "replicas should be small")))
        try workspace.write("test.yaml", Fixtures.test(replicas: "50"))
        let unchecked = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"])
        #expect(unchecked.results.first?.status == .valid)
        let checked = try await workspace.run(sources: ["crd.yaml"], inputs: ["test.yaml"], ruleEvaluator: CELRuleEvaluator())
        let finding = try #require(checked.results.first?.findings.first)
        #expect(finding.kind == .cel)
        #expect(finding.message == #"spec: Invalid value: "object": replicas should be small"#)
        try workspace.write("small.yaml", Fixtures.test(replicas: "5"))
        let passing = try await workspace.run(sources: ["crd.yaml"], inputs: ["small.yaml"], ruleEvaluator: CELRuleEvaluator())
        #expect(passing.results.first?.status == .valid)
    }

    @Test func brokenDocumentIsAFindingAndTheOthersStillValidate() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        try workspace.write("mixed.yaml", Fixtures.test() + "\n---\nmetadata: [broken\n---\n" + Fixtures.test(name: "after"))
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["mixed.yaml"])
        #expect(report.results.map(\.status) == [.valid, .unreadable, .valid])
        #expect(report.results.last?.name == "after")
        let broken = try #require(report.results[1].findings.first)
        #expect(broken.kind == .parse)
        #expect(broken.message.hasPrefix("cannot parse YAML: "))
        #expect(broken.position?.line == 9)
        #expect(report.summary.invalid == 1)
        // The last document keeps its true line numbers.
        #expect(report.results.last?.position == SourcePosition(line: 10, column: 1))
    }

    @Test func documentsWithoutTypeAreFindingsOnlyInCrossplanesForm() async throws {
        let workspace = try Workspace()
        try workspace.write("list.yaml", "- a\n- b\n")
        try workspace.write("values.yaml", "replicas: 3\n")
        let report = try await workspace.run(inputs: ["list.yaml"], mode: .crossplane)
        #expect(report.results.first?.status == .unreadable)
        #expect(report.failed(errorOnMissingSchemas: false))
        let sorted = try await workspace.run(inputs: ["list.yaml", "values.yaml"])
        #expect(sorted.results.isEmpty)
    }

    @Test func standardInputIsRead() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Fixtures.testCRD)
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["-"], standardInput: Data(Fixtures.test(replicas: "x").utf8))
        #expect(report.results.first?.file == "<stdin>")
        #expect(report.results.first?.status == .invalid)
    }

    // MARK: Defaulting, as crossplane's TestApplyDefaults

    private static let defaultingCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: instances.test.org
        spec:
          group: test.org
          names: {kind: Instance, plural: instances}
          scope: Cluster
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      deletionPolicy:
                        type: string
                        default: Delete
                        enum: [Delete, Retain]
                      forProvider:
                        type: object
                        properties:
                          region: {type: string}
                          instanceType: {type: string, default: t3.micro}
                      settings:
                        type: object
                        default: {labels: {app: default-app}}
                        properties:
                          labels:
                            type: object
                            additionalProperties: {type: string}
                      tags:
                        type: array
                        items: {type: string}
                        default: [default, tag]
        """

    private func defaulted(_ spec: Value) async throws -> Value {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Self.defaultingCRD)
        let source = try #require(try YAMLReader.read(Self.defaultingCRD, file: "crd.yaml").first)
        let entries = try SchemaEntry.entries(ofCRD: source.value, origin: "crd.yaml")
        let schema = try CompiledSchema(openAPIV3Schema: try #require(entries.first).schema)
        return schema.applyingDefaults(to: ["apiVersion": "test.org/v1", "kind": "Instance", "spec": spec])["spec"] ?? .null
    }

    @Test func noSchemaLeavesTheResourceAlone() async throws {
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Self.defaultingCRD)
        try workspace.write("other.yaml", "apiVersion: test.org/v2\nkind: Instance\nmetadata: {name: a}\nspec: {}\n")
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["other.yaml"])
        #expect(report.results.first?.status == .missingSchema)
        #expect(report.results.first?.findings.isEmpty == true)
    }

    @Test func simpleDefaultIsApplied() async throws {
        #expect(try await defaulted([:])["deletionPolicy"] == "Delete")
    }

    @Test func existingValueIsKept() async throws {
        #expect(try await defaulted(["deletionPolicy": "Retain"])["deletionPolicy"] == "Retain")
    }

    @Test func nestedDefaultsAreApplied() async throws {
        let spec = try await defaulted(["forProvider": ["region": "us-east-1"]])
        #expect(spec["forProvider"]?["instanceType"] == "t3.micro")
        #expect(spec["forProvider"]?["region"] == "us-east-1")
        #expect(spec["deletionPolicy"] == "Delete")
    }

    @Test func objectAndArrayDefaultsAreApplied() async throws {
        let spec = try await defaulted([:])
        #expect(spec["settings"] == ["labels": ["app": "default-app"]])
        #expect(spec["tags"] == ["default", "tag"])
    }

    @Test func defaultsApplyBeforeValidation() async throws {
        // A default outside the enum would fail only if defaulting ran first.
        let workspace = try Workspace()
        try workspace.write("crd.yaml", Self.defaultingCRD.replacingOccurrences(of: "default: Delete", with: "default: Orphan"))
        try workspace.write("instance.yaml", "apiVersion: test.org/v1\nkind: Instance\nmetadata: {name: a}\nspec: {}\n")
        let report = try await workspace.run(sources: ["crd.yaml"], inputs: ["instance.yaml"])
        #expect(report.results.first?.findings.map(\.message) == [
            #"spec.deletionPolicy: Unsupported value: "Orphan": supported values: "Delete", "Retain""#,
        ])
    }

    // MARK: XRDs as sources

    @Test func compositeAndClaimValidateAgainstConvertedXRD() async throws {
        let workspace = try Workspace()
        try workspace.write("xrd.yaml", Fixtures.xrd(claim: true))
        try workspace.write("xr.yaml", """
            apiVersion: test.org/v1alpha1
            kind: XTest
            metadata: {name: xr}
            spec:
              replicas: 3
              compositionRef: {name: default}
              writeConnectionSecretToRef: {name: s, namespace: ns}
            ---
            apiVersion: test.org/v1alpha1
            kind: TestClaim
            metadata: {name: claim, namespace: team}
            spec:
              replicas: 3
              compositeDeletePolicy: Sideways
            ---
            apiVersion: test.org/v1alpha1
            kind: XTest
            metadata: {name: modern}
            spec:
              replicas: 1
              crossplane: {compositionRef: {name: default}}
            """)
        let report = try await workspace.run(inputs: ["xrd.yaml", "xr.yaml"])
        #expect(report.results.map(\.name) == ["xr", "claim", "modern"])
        #expect(report.results[0].status == .valid)
        #expect(report.results[1].namespace == "team")
        #expect(report.results[1].findings.map(\.message) == [
            #"spec.compositeDeletePolicy: Unsupported value: "Sideways": supported values: "Background", "Foreground""#,
        ])
        #expect(report.results[2].findings.map(\.message) == [
            #"spec.crossplane: Invalid value: "crossplane": unknown field: "crossplane""#,
        ])
    }

    @Test func schemaSourcesAreValidatedOnlyWhenTheirSchemaIsKnown() async throws {
        let workspace = try Workspace()
        try workspace.write("xrd.yaml", Fixtures.xrd())
        let alone = try await workspace.run(inputs: ["xrd.yaml"])
        #expect(alone.results.isEmpty)
        // In crossplane's form every resource document is a resource, schema or not.
        let crossplane = try await workspace.run(sources: ["xrd.yaml"], inputs: ["xrd.yaml"], mode: .crossplane)
        #expect(crossplane.results.map(\.status) == [.missingSchema])
    }

    // MARK: Composition inputs

    private static let inputCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: inputs.demo.fn.crossplane.io}
        spec:
          group: demo.fn.crossplane.io
          names: {kind: Input, plural: inputs}
          scope: Cluster
          versions:
          - name: v1beta1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  apiVersion: {type: string}
                  kind: {type: string}
                  metadata: {type: object}
                  size: {type: integer}
        """

    private static let composition = """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata: {name: demo}
        spec:
          compositeTypeRef: {apiVersion: test.org/v1alpha1, kind: XTest}
          mode: Pipeline
          pipeline:
          - step: first
            functionRef: {name: function-demo}
            input:
              apiVersion: demo.fn.crossplane.io/v1beta1
              kind: Input
              size: big
          - step: second
            functionRef: {name: function-other}
            input:
              apiVersion: other.fn.crossplane.io/v1beta1
              kind: Input
        """

    @Test func pipelineInputsValidateAgainstTheirFunctionsInputCRD() async throws {
        let workspace = try Workspace()
        try workspace.write("input-crd.yaml", Self.inputCRD)
        try workspace.write("composition.yaml", Self.composition)
        let report = try await workspace.run(inputs: ["input-crd.yaml", "composition.yaml"])
        // The known input is validated; the unknown one is left out; the Composition has no schema here.
        #expect(report.results.map(\.kind) == ["Input", "Composition"])
        let input = report.results[0]
        #expect(input.findings.map(\.message) == [#"size: Invalid value: "string": size in body must be of type integer: "string""#])
        #expect(input.findings.first?.position == SourcePosition(line: 13, column: 7))
        // A pipeline input starts where its `input:` key is written.
        #expect(input.position == SourcePosition(line: 10, column: 5))
        #expect(report.results[1].status == .missingSchema)
    }

    @Test func crossplaneFormCountsEveryPipelineInput() async throws {
        let workspace = try Workspace()
        try workspace.write("input-crd.yaml", Self.inputCRD)
        try workspace.write("composition.yaml", Self.composition)
        let report = try await workspace.run(sources: ["input-crd.yaml"], inputs: ["composition.yaml"], mode: .crossplane)
        #expect(report.results.map(\.kind) == ["Input", "Input", "Composition"])
        #expect(report.results.map(\.status) == [.invalid, .missingSchema, .missingSchema])
        #expect(report.results[0].name == "")
    }

    @Test func brokenExtensionStopsTheRun() async throws {
        let workspace = try Workspace()
        try workspace.write("bad.yaml", "kind: [")
        try workspace.write("test.yaml", Fixtures.test())
        await #expect(throws: (any Error).self) {
            _ = try await workspace.run(sources: ["bad.yaml"], inputs: ["test.yaml"])
        }
    }

    @Test func directoriesAreWalkedInPathOrder() throws {
        let workspace = try Workspace()
        try workspace.write("tree/b.yaml", "a: 1")
        try workspace.write("tree/a/c.yml", "a: 1")
        try workspace.write("tree/a/d.json", "{}")
        try workspace.write("tree/notes.txt", "x")
        try workspace.write("tree/.git/config.yaml", "a: 1")
        let all = try InputLocation.expand([workspace.path("tree")], extensions: ["yaml", "yml", "json"])
        #expect(all.map(\.description) == ["a/c.yml", "a/d.json", "b.yaml"].map { workspace.path("tree/\($0)") })
        let yamlOnly = try InputLocation.expand([workspace.path("tree"), "-", "-"], extensions: ["yaml", "yml"])
        #expect(yamlOnly.count == 3)
        #expect(yamlOnly.last == .standardInput)
        #expect(throws: ValidateError.self) { try InputLocation.expand([workspace.path("absent")], extensions: ["yaml"]) }
    }
}
