import Foundation
import Testing
import XfnTestSupport

/// `xfn validate` runs `x-kubernetes-validations` and prints crossplane's CEL line with a position.
@Suite struct ValidateCELTests {
    static let crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: buckets.s3.example.org}
        spec:
          group: s3.example.org
          names: {kind: Bucket, plural: buckets}
          scope: Cluster
          versions:
            - name: v1beta1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      x-kubernetes-validations:
                        - rule: has(self.forProvider.region)
                          message: spec.forProvider.region is a required parameter
                        - rule: self.forProvider.size <= 10
                      properties:
                        forProvider:
                          type: object
                          properties:
                            region: {type: string}
                            size: {type: integer, default: 1}
        """

    static let buckets = """
        apiVersion: s3.example.org/v1beta1
        kind: Bucket
        metadata: {name: good}
        spec: {forProvider: {region: eu-west-1}}
        ---
        apiVersion: s3.example.org/v1beta1
        kind: Bucket
        metadata: {name: bad}
        spec:
          forProvider:
            size: 11
        """

    @Test func celFindingsHaveCrossplanesShapeAndAPosition() async throws {
        let xfn = try XfnProcess()
        let crd = try xfn.home.write(Self.crd, to: "crd.yaml")
        let resources = try xfn.home.write(Self.buckets, to: "buckets.yaml")
        let result = try await xfn.run(["validate", "--cache-dir", xfn.cacheDirectory, crd, resources])
        #expect(result.status == 1)
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.contains("\(resources):9:1: [x] CEL validation error s3.example.org/v1beta1, Kind=Bucket, bad : spec: Invalid value: \"object\": spec.forProvider.region is a required parameter"), "\(result.stdoutText)")
        #expect(lines.contains("\(resources):9:1: [x] CEL validation error s3.example.org/v1beta1, Kind=Bucket, bad : spec: Invalid value: \"object\": failed rule: self.forProvider.size <= 10"))
        #expect(lines.last == "Total 2 resources: 0 missing schemas, 1 success cases, 1 failure cases")

        // With too small a budget, the rules stop with Kubernetes' budget message.
        let starved = try await xfn.run(["validate", "--cache-dir", xfn.cacheDirectory, "--cel-budget", "1", crd, resources])
        #expect(starved.stdoutText.contains("validation failed due to running out of cost budget, no further validation rules will be run"), "\(starved.stdoutText)")
    }
}
