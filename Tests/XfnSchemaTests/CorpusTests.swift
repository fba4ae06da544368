import XfnTestSupport
import Foundation
import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

/// Real CRDs and examples from provider and Crossplane repositories.
@Suite struct CorpusTests {
    struct Catalog {
        var schemas: [String: CustomResourceSchema] = [:]
        var crdCount = 0

        mutating func add(directory: URL, recursive: Bool = false) throws {
            for file in try yamlFiles(in: directory, recursive: recursive) {
                for document in try YAMLReader.read(Data(contentsOf: file), file: file.lastPathComponent) {
                    guard document.value["kind"] == "CustomResourceDefinition" else { continue }
                    crdCount += 1
                    for version in try CustomResourceSchema.versions(ofCRD: document.value) {
                        schemas["\(version.apiVersion)/\(version.kind)"] = version
                    }
                }
            }
        }

        func schema(for object: Value) -> CustomResourceSchema? {
            guard let apiVersion = object["apiVersion"]?.stringValue, let kind = object["kind"]?.stringValue else { return nil }
            return schemas["\(apiVersion)/\(kind)"]
        }
    }

    static func yamlFiles(in directory: URL, recursive: Bool) throws -> [URL] {
        let manager = FileManager.default
        if recursive {
            let enumerator = manager.enumerator(at: directory, includingPropertiesForKeys: nil)
            return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
                .sorted { $0.path < $1.path }
        }
        return try manager.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
    }

    @Test func crossplaneCoreCRDsCompile() throws {
        var catalog = Catalog()
        try catalog.add(directory: SharedData.directory("corpus/crossplane-core-crds"))
        #expect(catalog.crdCount == 21)
        #expect(catalog.schemas["apiextensions.crossplane.io/v1/Composition"] != nil)
        #expect(catalog.schemas["pkg.crossplane.io/v1/Provider"] != nil)
    }

    @Test func providerExamplesValidate() throws {
        var catalog = Catalog()
        for provider in ["provider-kubernetes", "provider-helm"] {
            try catalog.add(directory: SharedData.directory("corpus/provider-crds/\(provider)"))
        }
        try catalog.add(directory: SharedData.directory("corpus/crossplane-core-crds"))
        #expect(catalog.crdCount == 16 + 21)
        var validated = 0
        var problems: [String] = []
        var duplicateKeyFiles: [String] = []
        for provider in ["provider-kubernetes", "provider-helm"] {
            let examples = try SharedData.directory("corpus/provider-crds/\(provider)/examples")
            for file in try Self.yamlFiles(in: examples, recursive: true) {
                let documents: [YAMLDocument]
                do {
                    documents = try YAMLReader.read(Data(contentsOf: file), file: file.lastPathComponent)
                } catch let error as YAMLError {
                    // Both providers' legacy in-composition example repeats a `patches` key.
                    if case .duplicateKey = error.kind { duplicateKeyFiles.append("\(provider)/\(file.lastPathComponent)"); continue }
                    throw error
                }
                for document in documents {
                    guard let schema = catalog.schema(for: document.value) else { continue }
                    validated += 1
                    for error in schema.schema.check(document.value).errors {
                        let position = document.positions.nearest(error.path).map { ":\($0)" } ?? ""
                        problems.append("\(file.lastPathComponent)\(position): \(error)")
                    }
                }
            }
        }
        print("validated \(validated) provider examples; \(problems.count) findings")
        for problem in problems { print("  \(problem)") }
        print("files with repeated keys: \(duplicateKeyFiles)")
        #expect(Set(duplicateKeyFiles).isSubset(of: ["provider-kubernetes/composition.yaml", "provider-helm/composition.yaml"]))
        #expect(!duplicateKeyFiles.isEmpty)
        #expect(validated >= 50)
        // The one finding is real: a legacy Composition using `spec.resources`, which Crossplane v2 removed.
        #expect(problems == [#"composition.yaml:10:3: spec.resources: Invalid value: "resources": unknown field: "resources""#])
    }

    @Test func handWrittenObjectsAgainstProviderKubernetes() throws {
        var catalog = Catalog()
        try catalog.add(directory: SharedData.directory("corpus/provider-crds/provider-kubernetes"))
        let object = try Fixture.value("""
        apiVersion: kubernetes.crossplane.io/v1alpha2
        kind: Object
        metadata:
          name: sample
        spec:
          deletionPolicy: Keep
          watch: "yes"
          forProvider:
            manifest:
              apiVersion: v1
              kind: Namespace
              metadata: {name: ns}
              anything: goes
            deletionPropagationPolicy: Background
          providerConfigRef: {}
          references:
          - patchesFrom: {name: other}
          unknownThing: 1
        """)
        let schema = try #require(catalog.schema(for: object))
        let result = schema.schema.check(object)
        #expect(result.errors.map(\.description) == [
            #"spec.deletionPolicy: Unsupported value: "Keep": supported values: "Orphan", "Delete""#,
            #"spec.providerConfigRef.name: Required value"#,
            #"spec.references[0].patchesFrom.fieldPath: Required value"#,
            #"spec.watch: Invalid value: "string": spec.watch in body must be of type boolean: "string""#,
            #"spec.unknownThing: Invalid value: "unknownThing": unknown field: "unknownThing""#,
        ])
        // Defaults filled in before validation.
        #expect(result.defaulted["spec"]?["managementPolicies"] == ["*"])
        #expect(result.defaulted["spec"]?["references"]?.arrayValue?.first?["patchesFrom"]?["kind"] == "Object")

        let valid = try Fixture.value("""
        apiVersion: kubernetes.crossplane.io/v1alpha2
        kind: Object
        metadata: {name: ok}
        spec:
          forProvider:
            manifest: {apiVersion: v1, kind: Namespace, metadata: {name: ns}}
        """)
        let okResult = schema.schema.check(valid)
        #expect(okResult.errors.isEmpty)
        #expect(okResult.defaulted["spec"]?["providerConfigRef"] == ["name": "default"])
        #expect(okResult.defaulted["spec"]?["deletionPolicy"] == "Delete")
    }

    @Test func functionInputCRDsCompile() throws {
        var catalog = Catalog()
        try catalog.add(directory: SharedData.directory("corpus/functions"), recursive: true)
        print("function corpus: \(catalog.crdCount) CRDs, \(catalog.schemas.count) versions")
        #expect(catalog.crdCount >= 10)
        #expect(catalog.schemas.keys.contains { $0.hasPrefix("pt.fn.crossplane.io/") })
    }

    @Test func upjetAWSSampleCompiles() throws {
        let directory = try SharedData.directory("corpus/provider-crds/provider-upjet-aws")
        let files = try Self.yamlFiles(in: directory, recursive: false)
        #expect(files.count > 2000)
        // Every 40th file plus the largest keeps the debug-build test quick.
        var sample = stride(from: 0, to: files.count, by: 40).map { files[$0] }
        sample.append(directory.appendingPathComponent("firehose.aws.upbound.io_deliverystreams.yaml"))
        var versions = 0
        for file in sample {
            for document in try YAMLReader.read(Data(contentsOf: file), file: file.lastPathComponent) {
                versions += try CustomResourceSchema.versions(ofCRD: document.value).count
            }
        }
        #expect(versions >= sample.count)
    }
}
