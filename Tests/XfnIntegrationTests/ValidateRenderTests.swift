import Foundation
import Testing
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// `xfn validate composition.yaml`: the Composition is rendered through real functions (Python SDK
/// peers, development runtime) for the XRs beside it, and what it renders is validated with
/// positions in the Composition.
@Suite(.serialized) struct ValidateRenderTests {
    /// Line numbers below are those of this text.
    static let composition = """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata:
          name: databases
        spec:
          compositeTypeRef:
            apiVersion: example.org/v1
            kind: XDatabase
          mode: Pipeline
          pipeline:
          - step: compose
            functionRef:
              name: function-compose
            input:
              apiVersion: test.xfn.dev/v1
              kind: Input
              resources:
              - name: instance
                base:
                  apiVersion: rds.example.org/v1
                  kind: Instance
                  spec:
                    forProvider:
                      instanceClass: db.t3.micro
              - name: bucket
                base:
                  apiVersion: s3.example.org/v1
                  kind: Bucket
                  metadata:
                    name: fixed-bucket
                  spec:
                    versioning: true
              - name: subnet
                base:
                  apiVersion: ec2.example.org/v1
                  kind: Subnet

        """

    static let xr = """
        apiVersion: example.org/v1
        kind: XDatabase
        metadata:
          name: db
        spec:
          region: eu-west-1

        """

    static let crds = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: instances.rds.example.org}
        spec:
          group: rds.example.org
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
                      forProvider:
                        type: object
                        required: [region]
                        properties:
                          region: {type: string}
                          instanceClass: {type: string}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: buckets.s3.example.org}
        spec:
          group: s3.example.org
          names: {kind: Bucket, plural: buckets}
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
                      versioning: {type: boolean}

        """

    /// A directory with the Composition, its XR under examples/, the CRDs and a Functions file
    /// pointing at running peers.
    func project(_ xfn: XfnProcess, functions: [(name: String, port: Int)], composition: String = composition) throws -> String {
        let root = try xfn.home.subdirectory("project")
        _ = try xfn.home.subdirectory("project/examples")
        _ = try xfn.home.write(composition, to: "project/composition.yaml")
        _ = try xfn.home.write(Self.xr, to: "project/examples/xr.yaml")
        _ = try xfn.home.write(Self.crds, to: "project/crds.yaml")
        _ = try xfn.home.write(RenderFixtures.functionsYAML(functions.map { function in
            (function.name, ["render.crossplane.io/runtime": "Development",
                             "render.crossplane.io/runtime-development-target": "127.0.0.1:\(function.port)"],
             "xpkg.example.org/test/\(function.name):v1")
        }), to: "project/functions.yaml")
        return root
    }

    @Test func renderedResourcesAreValidatedWithPositionsInTheComposition() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        let xfn = try XfnProcess()
        let root = try project(xfn, functions: [("function-compose", port)])
        let result = try await xfn.run(["validate", "--offline", "--no-config", "composition.yaml", "--functions", "functions.yaml", "--extensions", "crds.yaml"],
                                       in: root)
        await peer.stop()
        let out = result.stdoutText
        #expect(result.status == 1, "\(result.stderrText)\(out)")
        // The Instance lacks a field its CRD requires: reported where the Composition writes forProvider.
        #expect(out.contains("composition.yaml:23:13: [x] schema validation error rds.example.org/v1, Kind=Instance, instance : "
                             + "spec.forProvider.region: Required value (rendered by Composition databases from examples/xr.yaml)\n"), "\(out)")
        #expect(out.contains("composition.yaml:26:9: [✓] s3.example.org/v1, Kind=Bucket, fixed-bucket validated successfully "
                             + "(rendered by Composition databases from examples/xr.yaml)\n"), "\(out)")
        #expect(out.contains("composition.yaml:34:9: [!] could not find CRD/XRD for: ec2.example.org/v1, Kind=Subnet "
                             + "(rendered by Composition databases from examples/xr.yaml)\n"), "\(out)")
        // The XR from examples/ is validated too (no XRD here), and the Composition itself.
        #expect(out.contains("examples/xr.yaml:1:1: [!] could not find CRD/XRD for: example.org/v1, Kind=XDatabase\n"), "\(out)")
        #expect(out.hasSuffix("Total 5 resources: 3 missing schemas, 1 success cases, 1 failure cases\n"), "\(out)")

        // JSON says where each rendered resource came from.
        let (peer2, port2) = try await RenderFixtures.startPeer("compose.py")
        _ = try project(xfn, functions: [("function-compose", port2)])
        let json = try await xfn.run(["validate", "--offline", "--no-config", "-o", "json", "composition.yaml", "--functions", "functions.yaml",
                                      "--extensions", "crds.yaml"], in: root)
        await peer2.stop()
        let parsed = try ValueJSON.parse(Data(json.stdoutText.utf8))
        let rendered = (parsed["resources"]?.arrayValue ?? []).filter { $0["renderedFrom"] != nil }
        #expect(rendered.count == 3, "\(json.stdoutText)")
        #expect(rendered.first?["renderedFrom"]?["compositeResourceName"]?.stringValue == "db")
    }

    @Test func noRenderAndMissingFunctionsLeaveTheCompositionUnrendered() async throws {
        let xfn = try XfnProcess()
        let root = try project(xfn, functions: [("function-other", 1)])
        // Asked not to render: only the Composition and the XR are looked at.
        let plain = try await xfn.run(["validate", "--offline", "--no-config", "--no-render", "composition.yaml", "--functions", "functions.yaml",
                                       "--extensions", "crds.yaml"], in: root)
        #expect(plain.status == 0, "\(plain.stderrText)")
        #expect(!plain.stdoutText.contains("rendered by"), "\(plain.stdoutText)")
        // The Functions given do not include the one the pipeline calls: a warning, nothing rendered.
        let missing = try await xfn.run(["validate", "--offline", "--no-config", "composition.yaml", "--functions", "functions.yaml",
                                         "--extensions", "crds.yaml"], in: root)
        #expect(missing.status == 0, "\(missing.stderrText)")
        #expect(missing.stderrText.contains("xfn: warning: Composition databases is not rendered: Function \"function-compose\" is not among the Functions"),
                "\(missing.stderrText)")
        #expect(!missing.stdoutText.contains("rendered by"))
    }

    @Test func withoutFunctionsNothingBesideTheInputsIsRead() async throws {
        let xfn = try XfnProcess()
        let root = try project(xfn, functions: [])
        let result = try await xfn.run(["validate", "--offline", "--no-config", "composition.yaml", "--extensions", "crds.yaml"], in: root)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!result.stdoutText.contains("examples/xr.yaml"), "\(result.stdoutText)")
        #expect(result.stdoutText.hasSuffix("Total 1 resources: 1 missing schemas, 0 success cases, 0 failure cases\n"), "\(result.stdoutText)")
        #expect(!result.stderrText.contains("warning"), "\(result.stderrText)")
    }

    @Test func aFatalResultFailsTheRunWithExitFour() async throws {
        let (compose, composePort) = try await RenderFixtures.startPeer("compose.py")
        let (fatal, fatalPort) = try await RenderFixtures.startPeer("fatal.py")
        let xfn = try XfnProcess()
        let twoSteps = Self.composition + """
              - step: check
                functionRef:
                  name: function-fatal

            """
        let root = try project(xfn, functions: [("function-compose", composePort), ("function-fatal", fatalPort)], composition: twoSteps)
        let result = try await xfn.run(["validate", "--offline", "--no-config", "composition.yaml", "--functions", "functions.yaml", "--extensions", "crds.yaml"],
                                       in: root)
        await compose.stop()
        await fatal.stop()
        #expect(result.status == 4, "\(result.stderrText)")
        #expect(result.stdoutText.contains("composition.yaml:1:1: [x] render error example.org/v1, Kind=XDatabase, db : cannot render Composition "
                                           + "databases with examples/xr.yaml: "), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("spec.size must be small, medium or large"), "\(result.stdoutText)")
        #expect(result.stderrText.contains("render(s) failed in a function"), "\(result.stderrText)")
    }

    @Test func anXRGivenWithTheFlagIsRenderedAndValidated() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        let xfn = try XfnProcess()
        let root = try project(xfn, functions: [("function-compose", port)])
        _ = try xfn.home.write(Self.xr.replacingOccurrences(of: "name: db", with: "name: other"), to: "project/other.yaml")
        try FileManager.default.removeItem(atPath: root + "/examples")
        let result = try await xfn.run(["validate", "--offline", "--no-config", "composition.yaml", "--xr", "other.yaml", "--functions", "functions.yaml",
                                        "--extensions", "crds.yaml"], in: root)
        await peer.stop()
        #expect(result.status == 1, "\(result.stderrText)")
        #expect(result.stdoutText.contains("(rendered by Composition databases from other.yaml)"), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("other.yaml:1:1: [!] could not find CRD/XRD for: example.org/v1, Kind=XDatabase"), "\(result.stdoutText)")
    }
}
