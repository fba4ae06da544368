import Foundation
import Testing
import XfnCore
import XfnSchema
@testable import XfnValidate

/// XRD → CRD conversion, after crossplane's `TestConvertToCRDs` and the xcrd package it relies on.
@Suite struct CompositeResourceDefinitionTests {
    private func schema(_ crd: Value, version: Int = 0) throws -> Value {
        try #require(crd["spec"]?["versions"]?.arrayValue?[version]["schema"]?["openAPIV3Schema"])
    }

    private func columns(_ crd: Value) -> [String] {
        (crd["spec"]?["versions"]?.arrayValue?.first?["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }

    private func keys(_ value: Value?) -> Set<String> { Set(value?.objectValue?.keys ?? []) }

    @Test func legacyXRDWithoutClaimGivesOneCompositeCRD() throws {
        let crds = try CompositeResourceDefinition.customResourceDefinitions(from: Fixtures.value(Fixtures.xrd()))
        #expect(crds.count == 1)
        let crd = crds[0]
        #expect(crd["kind"] == "CustomResourceDefinition")
        #expect(crd["metadata"]?["name"] == "xtests.test.org")
        let owner = try #require(crd["metadata"]?["ownerReferences"]?.arrayValue?.first)
        #expect(owner["kind"] == "CompositeResourceDefinition")
        #expect(owner["name"] == "xtests.test.org")
        #expect(owner["controller"] == true)
        #expect(owner["blockOwnerDeletion"] == true)
        #expect(crd["spec"]?["scope"] == "Cluster")
        #expect(crd["spec"]?["names"]?["categories"] == ["composite"])
        let version = try #require(crd["spec"]?["versions"]?.arrayValue?.first)
        #expect(version["served"] == true)
        #expect(version["storage"] == true)
        #expect(version["subresources"]?["status"] == [:])
        #expect(columns(crd) == ["SYNCED", "READY", "COMPOSITION", "COMPOSITIONREVISION", "AGE"])
        let revision = version["additionalPrinterColumns"]?.arrayValue?[3]
        #expect(revision?["priority"] == 1)
        #expect(revision?["jsonPath"] == ".spec.compositionRevisionRef.name")

        let root = try schema(crd)
        #expect(root["required"] == ["spec"])
        #expect(root["properties"]?["metadata"]?["properties"]?["name"]?["maxLength"] == 63)
        #expect(keys(root["properties"]?["spec"]?["properties"]) == [
            "replicas", "claimRef", "compositionRef", "compositionRevisionRef", "compositionRevisionSelector",
            "compositionSelector", "compositionUpdatePolicy", "resourceRefs", "writeConnectionSecretToRef",
        ])
        #expect(root["properties"]?["spec"]?["required"] == ["replicas"])
        #expect(keys(root["properties"]?["status"]?["properties"]) == ["replicas", "conditions", "claimConditionTypes", "connectionDetails"])
        #expect(root["properties"]?["spec"]?["properties"]?["writeConnectionSecretToRef"]?["required"] == ["name", "namespace"])
    }

    @Test func legacyXRDWithClaimGivesANamespacedClaimCRD() throws {
        let crds = try CompositeResourceDefinition.customResourceDefinitions(from: Fixtures.value(Fixtures.xrd(claim: true)))
        #expect(crds.count == 2)
        let claim = crds[1]
        #expect(claim["metadata"]?["name"] == "testclaims.test.org")
        #expect(claim["spec"]?["scope"] == "Namespaced")
        #expect(claim["spec"]?["names"]?["kind"] == "TestClaim")
        #expect(claim["spec"]?["names"]?["categories"] == ["claim"])
        #expect(columns(claim) == ["SYNCED", "READY", "CONNECTION-SECRET", "AGE"])
        let spec = try schema(claim)["properties"]?["spec"]?["properties"]
        #expect(keys(spec) == [
            "replicas", "compositeDeletePolicy", "compositionRef", "compositionRevisionRef", "compositionRevisionSelector",
            "compositionSelector", "compositionUpdatePolicy", "resourceRef", "writeConnectionSecretToRef",
        ])
        #expect(spec?["writeConnectionSecretToRef"]?["required"] == ["name"])
        #expect(keys(try schema(claim)["properties"]?["status"]?["properties"]) == ["replicas", "conditions", "claimConditionTypes", "connectionDetails"])
    }

    @Test func modernScopesNestMachineryUnderSpecCrossplane() throws {
        for (scope, expected) in [("Namespaced", "Namespaced"), ("Cluster", "Cluster")] {
            let crd = try CompositeResourceDefinition.compositeCRD(from: Fixtures.value(Fixtures.xrd(apiVersion: "apiextensions.crossplane.io/v2", scope: scope)))
            #expect(crd["spec"]?["scope"] == .string(expected))
            let spec = try schema(crd)["properties"]?["spec"]?["properties"]
            #expect(keys(spec) == ["replicas", "crossplane"])
            let machinery = spec?["crossplane"]?["properties"]
            #expect(keys(machinery) == ["compositionRef", "compositionRevisionRef", "compositionRevisionSelector", "compositionSelector",
                                        "compositionUpdatePolicy", "resourceRefs"])
            let refProperties = keys(machinery?["resourceRefs"]?["items"]?["properties"])
            #expect(refProperties.contains("namespace") == (scope == "Cluster"))
            #expect(keys(try schema(crd)["properties"]?["status"]?["properties"]) == ["replicas", "conditions"])
            #expect(try #require(crd["spec"]?["versions"]?.arrayValue?.first)["additionalPrinterColumns"]?.arrayValue?[2]["jsonPath"]
                    == ".spec.crossplane.compositionRef.name")
        }
    }

    @Test func scopeDefaultsByAPIVersion() throws {
        #expect(try CompositeResourceDefinition.scope(of: Fixtures.value(Fixtures.xrd(apiVersion: "apiextensions.crossplane.io/v2"))) == .namespaced)
        #expect(try CompositeResourceDefinition.scope(of: Fixtures.value(Fixtures.xrd())) == .legacyCluster)
        #expect(throws: ValidateError.self) {
            try CompositeResourceDefinition.scope(of: Fixtures.value(Fixtures.xrd(scope: "Galactic")))
        }
    }

    @Test func claimNamesThatRepeatTheCompositeNamesAreRefused() throws {
        var xrd = try Fixtures.value(Fixtures.xrd(claim: true)).objectValue!
        var spec = xrd["spec"]!.objectValue!
        spec["claimNames"] = ["kind": "XTest", "plural": "testclaims"]
        xrd["spec"] = .object(spec)
        let error = try #require(throws: ValidateError.self) { try CompositeResourceDefinition.claimCRD(from: .object(xrd)) }
        #expect(error.message.contains("\"XTest\" conflicts with composite resource name"))
    }

    @Test func aVersionWithoutSchemaIsRefused() throws {
        var xrd = try Fixtures.value(Fixtures.xrd()).objectValue!
        var spec = xrd["spec"]!.objectValue!
        spec["versions"] = [["name": "v1", "served": true, "referenceable": true]]
        xrd["spec"] = .object(spec)
        let error = try #require(throws: ValidateError.self) { try CompositeResourceDefinition.compositeCRD(from: .object(xrd)) }
        #expect(error.message.contains("custom resource validation cannot be nil"))
    }

    @Test func otherKindsAreNotSchemaSources() throws {
        #expect(DocumentRole(of: try Fixtures.value(Fixtures.test())) == .resource)
        #expect(DocumentRole(of: try Fixtures.value(Fixtures.testCRD)) == .customResourceDefinition)
        #expect(DocumentRole(of: try Fixtures.value(Fixtures.xrd())) == .compositeResourceDefinition)
    }

    @Test func defaultUpdatePolicyBecomesASchemaDefault() throws {
        let xrd = Fixtures.xrd(apiVersion: "apiextensions.crossplane.io/v2", scope: "Cluster",
                               extraSpec: "  defaultCompositionUpdatePolicy: Manual\n")
        let crd = try CompositeResourceDefinition.compositeCRD(from: Fixtures.value(xrd))
        let compiled = try CompiledSchema(openAPIV3Schema: schema(crd))
        let defaulted = compiled.applyingDefaults(to: ["apiVersion": "test.org/v1alpha1", "kind": "XTest",
                                                        "spec": ["replicas": 1, "crossplane": [:]]])
        #expect(defaulted["spec"]?["crossplane"]?["compositionUpdatePolicy"] == "Manual")
    }
}
