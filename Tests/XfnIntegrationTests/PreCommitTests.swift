import Foundation
import Testing
import XfnCore
@testable import XfnRender
import XfnTestSupport

/// The pre-commit framework running this repository's `xfn-validate-system` hook on commits to a
/// throwaway git repository, with the built xfn on PATH.
@Suite(.serialized) struct PreCommitTests {
    /// This repository's root, from this file's place in it.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    let scratch: TemporaryDirectory
    let environment: [String: String]

    init() throws {
        scratch = try TemporaryDirectory(prefix: "xfn-precommit")
        let xfnDirectory = URL(fileURLWithPath: XfnProcess.binary).deletingLastPathComponent().path
        let inherited = ProcessInfo.processInfo.environment
        environment = [
            "HOME": scratch.appending("home"), "PATH": xfnDirectory + ":" + (inherited["PATH"] ?? "/usr/bin:/bin"),
            "PRE_COMMIT_HOME": scratch.appending("pre-commit-cache"), "XFN_CACHE_DIR": scratch.appending("xfn-cache"),
            "XFN_CROSSPLANE_IMAGE": "",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org", "LANG": "C.UTF-8",
        ]
        _ = try scratch.subdirectory("home")
    }

    @discardableResult
    func run(_ command: String, _ arguments: [String], in directory: String, checked: Bool = true) async throws -> ProcessResult {
        guard let result = try? await ProcessRunner.run(command, arguments, environment: environment, currentDirectory: directory,
                                                        timeout: .seconds(180)) else {
            Issue.record("cannot run \(command); install it (scripts/bootstrap installs pre-commit with pip)")
            throw CancellationError()
        }
        if checked && !result.succeeded {
            Issue.record("\(command) \(arguments.joined(separator: " ")) failed: \(result.stderrText)\(result.stdoutText)")
            throw CancellationError()
        }
        return result
    }

    /// A git repository holding only this repository's hook manifest, for pre-commit to clone.
    func hooksRepository() async throws -> (path: String, revision: String) {
        let path = try scratch.subdirectory("hooks")
        try FileManager.default.copyItem(atPath: Self.repositoryRoot + "/.pre-commit-hooks.yaml", toPath: path + "/.pre-commit-hooks.yaml")
        try await run("git", ["init", "-q"], in: path)
        try await run("git", ["add", "."], in: path)
        try await run("git", ["commit", "-q", "-m", "hooks"], in: path)
        let revision = try await run("git", ["rev-parse", "HEAD"], in: path).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        return (path, revision)
    }

    func write(_ relative: String, _ contents: String, in root: String) throws {
        let url = URL(fileURLWithPath: root + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: url)
    }

    /// Commits everything; returns the exit status and what the hook printed (git hooks write to
    /// either stream).
    func commit(_ message: String, in root: String) async throws -> (status: Int32, output: String) {
        try await run("git", ["add", "-A"], in: root)
        let result = try await run("git", ["commit", "-m", message], in: root, checked: false)
        return (result.status, result.stdoutText + result.stderrText)
    }

    @Test func hookManifestAndExampleConfigAreValid() async throws {
        let manifest = try await run("pre-commit", ["validate-manifest", Self.repositoryRoot + "/.pre-commit-hooks.yaml"], in: scratch.path,
                                     checked: false)
        #expect(manifest.status == 0, "\(manifest.stdoutText)\(manifest.stderrText)")
        let text = try String(contentsOfFile: Self.repositoryRoot + "/.pre-commit-hooks.yaml", encoding: .utf8)
        #expect(text.contains("- id: xfn-validate\n") && text.contains("language: swift"))
        #expect(text.contains("- id: xfn-validate-system\n") && text.contains("language: system"))
        let config = try await run("pre-commit", ["validate-config", Self.repositoryRoot + "/examples/.pre-commit-config.yaml"], in: scratch.path,
                                   checked: false)
        #expect(config.status == 0, "\(config.stdoutText)\(config.stderrText)")
    }

    @Test func hookPassesCleanCommitsAndBlocksBrokenOnesAtTheirPosition() async throws {
        let hooks = try await hooksRepository()
        let root = try scratch.subdirectory("repo")
        try await run("git", ["init", "-q"], in: root)
        try write(".pre-commit-config.yaml", """
            repos:
              - repo: \(hooks.path)
                rev: \(hooks.revision)
                hooks:
                  - id: xfn-validate-system

            """, in: root)
        try write(".xfn.yaml", "schemas: [apis/, crds/]\nexamples:\n  paths: [examples/]\noffline: true\n", in: root)
        try write("apis/definition.yaml", Self.xrd(required: "region"), in: root)
        try write("apis/composition.yaml", Self.composition(item: "name: bucket"), in: root)
        try write("crds/input.yaml", Self.inputCRD, in: root)
        try write("examples/bucket.yaml", Self.bucket, in: root)
        try await run("pre-commit", ["install"], in: root)

        let clean = try await commit("clean", in: root)
        #expect(clean.status == 0, "\(clean.output)")
        #expect(clean.output.contains("xfn validate (installed xfn)") && clean.output.contains("Passed"))

        // A typo in a pipeline step's input.
        try write("apis/composition.yaml", Self.composition(item: "nmae: bucket"), in: root)
        let brokenInput = try await commit("typo", in: root)
        #expect(brokenInput.status != 0)
        #expect(brokenInput.output.contains("apis/composition.yaml:14:13: [x] schema validation error pt.fn.example.org/v1beta1, Kind=Resources"),
                "\(brokenInput.output)")
        try await run("git", ["checkout", "--", "."], in: root)
        try await run("git", ["reset", "-q"], in: root)
        try await run("git", ["checkout", "--", "."], in: root)

        // An example XR whose field has the wrong type.
        try write("examples/bucket.yaml", Self.bucket.replacingOccurrences(of: "size: 3", with: "size: three"), in: root)
        let brokenExample = try await commit("size", in: root)
        #expect(brokenExample.status != 0)
        #expect(brokenExample.output.contains("examples/bucket.yaml:6:3: [x] schema validation error storage.example.org/v1alpha1, Kind=XBucket, example : spec.size"),
                "\(brokenExample.output)")
        try await run("git", ["reset", "-q"], in: root)
        try await run("git", ["checkout", "--", "."], in: root)

        // Only the XRD changes, yet the unchanged example it now rejects blocks the commit.
        try write("apis/definition.yaml", Self.xrd(required: "zone"), in: root)
        let brokenXRD = try await commit("require zone", in: root)
        #expect(brokenXRD.status != 0)
        #expect(brokenXRD.output.contains("examples/bucket.yaml:4:1: [x] schema validation error storage.example.org/v1alpha1, Kind=XBucket, example : spec.zone: Required value"),
                "\(brokenXRD.output)")
    }

    @Test func hookBlocksACommitWhoseRenderedResourceBreaksItsSchema() async throws {
        let (peer, port) = try await RenderFixtures.startPeer("compose.py")
        defer { Task { await peer.stop() } }
        let hooks = try await hooksRepository()
        let root = try scratch.subdirectory("rendering")
        try await run("git", ["init", "-q"], in: root)
        try write(".pre-commit-config.yaml", """
            repos:
              - repo: \(hooks.path)
                rev: \(hooks.revision)
                hooks:
                  - id: xfn-validate-system

            """, in: root)
        try write(".xfn.yaml", """
            schemas: [apis/, crds/]
            functions: functions.yaml
            examples:
              paths: [examples/]
            runtimes:
              function-compose: {runtime: Development, target: "127.0.0.1:\(port)"}
            offline: true

            """, in: root)
        let complete = ValidateRenderTests.composition.replacingOccurrences(
            of: "instanceClass: db.t3.micro", with: "instanceClass: db.t3.micro\n              region: eu-west-1")
        try write("apis/composition.yaml", complete, in: root)
        try write("crds/managed.yaml", ValidateRenderTests.crds, in: root)
        try write("examples/xr.yaml", ValidateRenderTests.xr, in: root)
        try write("functions.yaml", RenderFixtures.functionsYAML([("function-compose", [:], "xpkg.example.org/test/function-compose:v1")]), in: root)
        try await run("pre-commit", ["install"], in: root)

        let clean = try await commit("clean", in: root)
        #expect(clean.status == 0, "\(clean.output)")

        // The Composition no longer sets a field the composed resource's CRD requires; only rendering can tell.
        try write("apis/composition.yaml", ValidateRenderTests.composition, in: root)
        let broken = try await commit("drop region", in: root)
        #expect(broken.status != 0)
        #expect(broken.output.contains("apis/composition.yaml:23:13: [x] schema validation error rds.example.org/v1, Kind=Instance, instance : "
                                       + "spec.forProvider.region: Required value (rendered by Composition databases from examples/xr.yaml)"),
                "\(broken.output)")
        try await run("git", ["reset", "-q"], in: root)
        try await run("git", ["checkout", "--", "."], in: root)

        // Only the example XR changes: its Composition is rendered again (and still passes).
        try write("examples/xr.yaml", ValidateRenderTests.xr.replacingOccurrences(of: "eu-west-1", with: "us-east-1"), in: root)
        let example = try await run(XfnProcess.binary, ["validate", "-v", "examples/xr.yaml"], in: root, checked: false)
        #expect(example.status == 0, "\(example.stderrText)\(example.stdoutText)")
        #expect(example.stdoutText.contains("[✓] s3.example.org/v1, Kind=Bucket, fixed-bucket validated successfully (rendered by Composition databases from examples/xr.yaml)"),
                "\(example.stdoutText)")
        #expect(example.stderrText.contains("xfn: selected apis/composition.yaml (renders examples/xr.yaml, which changed)"), "\(example.stderrText)")
    }

    static func xrd(required: String) -> String {
        """
        apiVersion: apiextensions.crossplane.io/v2
        kind: CompositeResourceDefinition
        metadata: {name: xbuckets.storage.example.org}
        spec:
          group: storage.example.org
          names: {kind: XBucket, plural: xbuckets}
          versions:
            - name: v1alpha1
              served: true
              referenceable: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    spec:
                      type: object
                      required: [\(required)]
                      properties:
                        region: {type: string}
                        zone: {type: string}
                        size: {type: integer}

        """
    }

    static let inputCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: resources.pt.fn.example.org}
        spec:
          group: pt.fn.example.org
          names: {kind: Resources, plural: resources}
          scope: Namespaced
          versions:
            - name: v1beta1
              served: true
              storage: true
              schema:
                openAPIV3Schema:
                  type: object
                  properties:
                    resources:
                      type: array
                      items:
                        type: object
                        properties:
                          name: {type: string}

        """

    static func composition(item: String) -> String {
        """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata: {name: xbuckets.example}
        spec:
          compositeTypeRef: {apiVersion: storage.example.org/v1alpha1, kind: XBucket}
          mode: Pipeline
          pipeline:
            - step: resources
              functionRef: {name: function-resources}
              input:
                apiVersion: pt.fn.example.org/v1beta1
                kind: Resources
                resources:
                  - \(item)

        """
    }

    static let bucket = """
        apiVersion: storage.example.org/v1alpha1
        kind: XBucket
        metadata: {name: example, namespace: default}
        spec:
          region: eu-west-1
          size: 3

        """
}
