import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// `xfn validate` in a repository with an `.xfn.yaml`, end to end through the built binary.
@Suite struct ProjectCommandTests {
    let workspace: Workspace

    init() throws {
        workspace = try Workspace()
        try ProjectFixture.write(into: workspace)
    }

    func xfn(_ arguments: [String], in directory: String = "") async throws -> ProcessResult {
        let home = workspace.path("home")
        let environment = [
            "HOME": home, "XDG_CACHE_HOME": home + "/.cache", "XDG_CONFIG_HOME": home + "/.config", "DOCKER_CONFIG": home + "/.docker",
            "XFN_CACHE_DIR": workspace.path("cache"), "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            // Never Crossplane's image from the internet.
            "XFN_CROSSPLANE_IMAGE": "",
        ]
        return try await ProcessRunner.run(try CommandTests.binary, arguments, environment: environment,
                                           currentDirectory: workspace.path(directory), input: nil)
    }

    @Test func changedXRDRevalidatesItsExamplesAndVerboseSaysWhy() async throws {
        try workspace.write("apis/bucket/definition.yaml", ProjectFixture.xrd(required: "size"))
        let result = try await xfn(["validate", "-v", "apis/bucket/definition.yaml"])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("examples/bucket.yaml:4:1: [x] schema validation error storage.example.org/v1alpha1, Kind=XBucket, example : spec.size: Required value"))
        #expect(!result.stdoutText.contains("XQueue"))
        #expect(result.stderrText.contains("xfn: selected examples/bucket.yaml (uses XBucket.storage.example.org, whose schema changed)"))
        #expect(result.stderrText.contains("xfn: affected Composition xbuckets.example"))
    }

    @Test func brokenFunctionInputIsReportedAtItsPosition() async throws {
        try workspace.write("apis/bucket/composition.yaml", ProjectFixture.composition(resourceName: "nme: bucket"))
        let result = try await xfn(["validate", "apis/bucket/composition.yaml"])
        #expect(result.status == 1)
        #expect(result.stdoutText.contains("apis/bucket/composition.yaml:15:13: [x] schema validation error pt.fn.example.org/v1beta1, Kind=Resources"))
        #expect(result.stdoutText.hasSuffix("Total 3 resources: 1 missing schemas, 1 success cases, 1 failure cases\n"))
    }

    @Test func worksFromASubdirectoryAndHonoursNoConfig() async throws {
        let inside = try await xfn(["validate", "bucket.yaml"], in: "examples")
        #expect(inside.status == 0)
        #expect(inside.stdoutText.contains("bucket.yaml:1:1: [✓] storage.example.org/v1alpha1, Kind=XBucket, example validated successfully"))
        let without = try await xfn(["validate", "--no-config", "bucket.yaml"], in: "examples")
        #expect(without.stdoutText.contains("[!] could not find CRD/XRD for: storage.example.org/v1alpha1, Kind=XBucket"))
    }

    @Test func configErrorsAreUsageErrorsWithPositions() async throws {
        try workspace.write("other.yaml", "schemas: [apis/]\nexamples:\n  path: examples/\n")
        let result = try await xfn(["validate", "--config", "other.yaml", "examples/bucket.yaml"])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("other.yaml:3:3: unknown key \"path\" in examples"))
        #expect(result.stderrText.contains("hint: known keys here: paths, compositions"))
    }

    @Test func junitOutputIsWellFormedXMLWithFailuresAndPositions() async throws {
        try workspace.write("examples/bucket.yaml", """
            apiVersion: storage.example.org/v1alpha1
            kind: XBucket
            metadata: {name: "a<b>&'c'", namespace: default}
            spec: {region: eu-west-1, size: big}
            """)
        let result = try await xfn(["validate", "-o", "junit"])
        #expect(result.status == 1)
        let xmlPath = try workspace.write("report.xml", result.stdoutText)
        let check = try await ProcessRunner.run("python3", ["-c", """
            import sys, xml.dom.minidom
            doc = xml.dom.minidom.parse(sys.argv[1])
            root = doc.documentElement
            print(root.tagName, root.getAttribute("tests"), root.getAttribute("failures"), root.getAttribute("skipped"))
            for suite in doc.getElementsByTagName("testsuite"):
                print("suite", suite.getAttribute("name"), suite.getAttribute("tests"), suite.getAttribute("failures"))
            for failure in doc.getElementsByTagName("failure"):
                print("failure", failure.getAttribute("type"), failure.firstChild.data)
            """, xmlPath])
        #expect(check.status == 0, "\(check.stderrText)")
        let lines = check.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.first == "testsuites 4 1 1")
        #expect(lines.contains("suite examples/bucket.yaml 1 1"))
        #expect(lines.contains { $0.hasPrefix("failure schema examples/bucket.yaml:4:27: [x] schema validation error storage.example.org/v1alpha1, Kind=XBucket, a<b>&'c' : spec.size") })
        #expect(result.stderrText.contains("Total 4 resources: 1 missing schemas, 2 success cases, 1 failure cases"))
    }
}
