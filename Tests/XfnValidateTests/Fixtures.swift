import Foundation
import XfnCore
import Testing
import XfnTestSupport
import XfnValidate
import XfnSchema
import XfnYAML

/// Small schemas and resources written for these tests, in the shapes crossplane's own validate
/// tests use (a cluster-scoped `test.org/v1alpha1` `Test` with a required integer `spec.replicas`).
enum Fixtures {
    static var testCRD: String { testCRD(rule: nil) }

    /// The fixture CRD, with an `x-kubernetes-validations` rule on `spec` when one is given.
    static func testCRD(rule: (rule: String, message: String)?) -> String {
        let rules = rule.map { "\n            x-kubernetes-validations:\n            - rule: \($0.rule)\n              message: \($0.message)" } ?? ""
        return """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: tests.test.org
        spec:
          group: test.org
          names:
            kind: Test
            listKind: TestList
            plural: tests
            singular: test
          scope: Cluster
          versions:
          - name: v1alpha1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  apiVersion:
                    type: string
                  kind:
                    type: string
                  metadata:
                    type: object
                  spec:
                    type: object
                    required: [replicas]\(rules)
                    properties:
                      replicas:
                        type: integer
        """
    }

    static func test(name: String = "test", replicas: String = "1", extra: String = "") -> String {
        """
        apiVersion: test.org/v1alpha1
        kind: Test
        metadata:
          name: \(name)
        spec:
          replicas: \(replicas)\(extra)
        """
    }

    /// An XRD shaped like crossplane's test fixture: no scope, `spec.replicas` and `status.replicas`.
    static func xrd(apiVersion: String = "apiextensions.crossplane.io/v1", scope: String? = nil, claim: Bool = false,
                    extraSpec: String = "") -> String {
        """
        apiVersion: \(apiVersion)
        kind: CompositeResourceDefinition
        metadata:
          name: xtests.test.org
        spec:
          group: test.org
          names:
            kind: XTest
            plural: xtests
        \(claim ? "  claimNames:\n    kind: TestClaim\n    plural: testclaims\n" : "")\(scope.map { "  scope: \($0)\n" } ?? "")\(extraSpec)  versions:
          - name: v1alpha1
            served: true
            referenceable: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [replicas]
                    properties:
                      replicas:
                        type: integer
                  status:
                    type: object
                    properties:
                      replicas:
                        type: integer
        """
    }

    /// The schemas of an XRD with a claim, and the index a source holding only them has.
    static func xrdEntries() throws -> (entries: [SchemaEntry], index: SchemaCache.Index) {
        let entries = try SchemaEntry.entries(ofXRD: value(xrd(claim: true)), origin: "xrd.yaml")
        var index = SchemaCache.Index()
        index.kinds = entries.map(\.gvk)
        index.onlySources = true
        return (entries, index)
    }

    static func value(_ yaml: String) throws -> Value {
        try #require(try YAMLReader.read(yaml, file: "fixture.yaml").first).value
    }
}

/// A directory of files for one test, removed when the test ends.
final class Workspace: Sendable {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory(prefix: "xfn-validate") }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let parent = (name as NSString).deletingLastPathComponent
        if !parent.isEmpty { _ = try directory.subdirectory(parent) }
        return try directory.write(contents, to: name)
    }

    func path(_ name: String) -> String { directory.appending(name) }

    var cache: SchemaCache { SchemaCache(cacheDirectory: directory.appending("cache")) }

    /// Runs a validation over files of this workspace.
    func run(sources: [String] = [], inputs: [String], mode: ValidationRun.Mode = .sorted, cached: Bool = false,
             provider: (any PackageSchemaProvider)? = nil, crossplaneImage: String? = nil,
             ruleEvaluator: (any RuleEvaluator)? = nil, standardInput: Data = Data()) async throws -> ValidationReport {
        let options = ValidationRun.Options(mode: mode, cache: cached ? cache : nil, packageProvider: provider,
                                            crossplaneImage: crossplaneImage, ruleEvaluator: ruleEvaluator,
                                            standardInput: { standardInput })
        return try await ValidationRun.run(schemaSources: sources.map { $0 == "-" ? .standardInput : .file(path($0)) },
                                           inputs: inputs.map { $0 == "-" ? .standardInput : .file(path($0)) }, options: options)
    }
}

