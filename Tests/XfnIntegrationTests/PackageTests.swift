import Foundation
import Testing
import XfnCore
import XfnTestSupport

/// Packages: finding package.yaml, following dependencies, `xfn inspect`, `pull --unpack`.
@Suite(.serialized) struct PackageTests {
    static func meta(_ kind: String, _ name: String, apiVersion: String = "meta.pkg.crossplane.io/v1", dependencies: [String] = []) -> String {
        var yaml = """
            apiVersion: \(apiVersion)
            kind: \(kind)
            metadata:
              name: \(name)
            spec:
              crossplane:
                version: ">=v1.17.0"

            """
        if !dependencies.isEmpty {
            yaml += "  dependsOn:\n" + dependencies.map { "    - " + $0.replacingOccurrences(of: "\n", with: "\n      ") }.joined(separator: "\n") + "\n"
        }
        return yaml
    }

    static let crd = """
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: buckets.s3.example.org
        spec:
          group: s3.example.org
          names: {kind: Bucket, plural: buckets}
          scope: Cluster
          versions:
            - name: v1beta1
              served: true
              storage: true
              schema: {openAPIV3Schema: {type: object}}
        """

    /// Pushes a package whose base layer sits above a random layer, marked as asked.
    static func push(_ yaml: String, to registry: RegistryProcess, repository: String, tags: [String] = ["v1.0.0"],
                     marking: XpkgMarking = .annotationAndLabel, extraFiles: [TarFile] = [], config: [String: String] = [:]) async throws -> BuiltImage {
        let layout = try TemporaryDirectory(prefix: "xfn-package")
        let builder = try OCIImageBuilder(layoutPath: layout.appending("oci"))
        var layers: [TestLayer] = [.random(size: 2048), .xpkg(packageYAML: yaml, marking: marking)]
        if !extraFiles.isEmpty { layers.append(.files(extraFiles)) }
        let image = try builder.addImage(TestImage(layers: layers, labels: config), tag: tags[0])
        for tag in tags.dropFirst() { try builder.addImage(TestImage(layers: layers, labels: config), tag: tag) }
        for tag in tags { try await Skopeo.push(layout: builder.layoutPath, tag: tag, to: registry, repository: repository, all: false) }
        return image
    }

    @Test(arguments: [XpkgMarking.annotationOnly, .labelOnly, .unmarked])
    func findsPackageYAMLHoweverTheBaseLayerIsMarked(marking: XpkgMarking) async throws {
        try await RegistryProcess.with { registry in
            let yaml = Self.meta("Provider", "provider-s3") + Self.crd
            let image = try await Self.push(yaml, to: registry, repository: "lab/provider-s3", marking: marking)
            let xfn = try XfnProcess()
            let result = try await xfn.run(["inspect", "-o", "json", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                                            "\(registry.host)/lab/provider-s3:v1.0.0"])
            #expect(result.status == 0, "\(result.stderrText)")
            let document = try ValueJSON.parse(result.stdout)
            #expect(document.value(at: ["package", "kind"]) == "Provider")
            #expect(document.value(at: ["package", "name"]) == "provider-s3")
            #expect(document.value(at: ["package", "crossplaneVersion"]) == ">=v1.17.0")
            #expect(document["kinds"]?.arrayValue?.first?["kind"] == "Bucket")
            let cached = xfn.cacheDirectory + "/packages/\(image.manifestDigest.hex)/package.yaml"
            #expect(try String(contentsOfFile: cached, encoding: .utf8) == yaml)
        }
    }

    @Test func imageWithoutPackageYAMLIsNotAPackage() async throws {
        try await RegistryProcess.with { registry in
            _ = try await Fixtures.pushImage(to: registry, repository: "lab/plain", layerSizes: [100])
            let xfn = try XfnProcess()
            let result = try await xfn.run(["inspect", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, "\(registry.host)/lab/plain:v1"])
            #expect(result.status == 1)
            #expect(result.stderrText.contains("is not a Crossplane package: no layer holds a package.yaml"))
        }
    }

    @Test func inspectListsBothDependencySpellings() async throws {
        try await RegistryProcess.with { registry in
            let yaml = Self.meta("Configuration", "platform", dependencies: [
                "provider: \(registry.host)/lab/provider-s3\nversion: \">=v1.0.0\"",
                "apiVersion: pkg.crossplane.io/v1\nkind: Function\npackage: \(registry.host)/lab/function-go\nversion: v0.2.0",
            ])
            _ = try await Self.push(yaml, to: registry, repository: "lab/platform")
            let xfn = try XfnProcess()
            let result = try await xfn.run(["inspect", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host, "\(registry.host)/lab/platform:v1.0.0"])
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(result.stdoutText.contains("Package:     Configuration platform"))
            #expect(result.stdoutText.contains("  Provider \(registry.host)/lab/provider-s3 >=v1.0.0"))
            #expect(result.stdoutText.contains("  Function \(registry.host)/lab/function-go v0.2.0"))
            #expect(result.stdoutText.contains("(package base)"))
        }
    }

    @Test func followsTheWholeDependencyGraph() async throws {
        try await RegistryProcess.with { registry in
            let host = registry.host
            _ = try await Self.push(Self.meta("Provider", "provider-s3") + Self.crd, to: registry, repository: "lab/provider-s3",
                                    tags: ["v0.9.0", "v1.0.0", "v1.1.0", "v1.2.0-rc.1", "v2.0.0"])
            _ = try await Self.push(Self.meta("Function", "function-go", apiVersion: "meta.pkg.crossplane.io/v1beta1"), to: registry,
                                    repository: "lab/function-go", tags: ["v0.1.0", "v0.2.0", "v0.3.0-rc.1"])
            _ = try await Self.push(Self.meta("Configuration", "base", dependencies: [
                "provider: \(host)/lab/provider-s3\nversion: \">=v1.0.0, <v2.0.0\"",
                "function: \(host)/lab/function-go\nversion: \">=v0.1.0-0\"",
            ]), to: registry, repository: "lab/configuration-base", tags: ["v1.0.0"])
            _ = try await Self.push(Self.meta("Configuration", "app", dependencies: [
                "apiVersion: pkg.crossplane.io/v1\nkind: Configuration\npackage: \(host)/lab/configuration-base\nversion: \"^1.0.0\"",
            ]), to: registry, repository: "lab/configuration-app")

            let xfn = try XfnProcess()
            let result = try await xfn.pull(["\(host)/lab/configuration-app:v1.0.0"], ["--plain-http", host, "--with-dependencies"])
            #expect(result.status == 0, "\(result.stderrText)")
            let lines = result.stdoutText.split(separator: "\n").map { String($0.split(separator: "@")[0]) }
            #expect(lines.first == "\(host)/lab/configuration-app:v1.0.0")
            #expect(Set(lines) == [
                "\(host)/lab/configuration-app:v1.0.0", "\(host)/lab/configuration-base:v1.0.0",
                "\(host)/lab/provider-s3:v1.1.0", "\(host)/lab/function-go:v0.3.0-rc.1",
            ])
        }
    }

    @Test func reportsCyclesAndConflicts() async throws {
        try await RegistryProcess.with { registry in
            let host = registry.host
            _ = try await Self.push(Self.meta("Configuration", "a", dependencies: ["configuration: \(host)/lab/b\nversion: v1.0.0"]), to: registry, repository: "lab/a")
            _ = try await Self.push(Self.meta("Configuration", "b", dependencies: ["configuration: \(host)/lab/a\nversion: v1.0.0"]), to: registry, repository: "lab/b")
            let xfn = try XfnProcess()
            let cycle = try await xfn.pull(["\(host)/lab/a:v1.0.0"], ["--plain-http", host, "--with-dependencies"])
            #expect(cycle.status == 1)
            #expect(cycle.stderrText.contains("dependency cycle: \(host)/lab/a → \(host)/lab/b → \(host)/lab/a"), "\(cycle.stderrText)")

            _ = try await Self.push(Self.meta("Provider", "p"), to: registry, repository: "lab/p", tags: ["v1.0.0", "v2.0.0"])
            _ = try await Self.push(Self.meta("Configuration", "old", dependencies: ["provider: \(host)/lab/p\nversion: \"<v2.0.0\""]), to: registry, repository: "lab/old")
            _ = try await Self.push(Self.meta("Configuration", "new", dependencies: ["provider: \(host)/lab/p\nversion: \">=v2.0.0\""]), to: registry, repository: "lab/new")
            _ = try await Self.push(Self.meta("Configuration", "both", dependencies: [
                "configuration: \(host)/lab/old\nversion: v1.0.0", "configuration: \(host)/lab/new\nversion: v1.0.0",
            ]), to: registry, repository: "lab/both")
            let conflict = try await xfn.pull(["\(host)/lab/both:v1.0.0"], ["--plain-http", host, "--with-dependencies"])
            #expect(conflict.status == 1)
            #expect(conflict.stderrText.contains("cannot resolve dependency \(host)/lab/p"), "\(conflict.stderrText)")
            #expect(conflict.stderrText.contains("requires <v2.0.0"))
            #expect(conflict.stderrText.contains("requires >=v2.0.0"))
        }
    }

    @Test func unpacksAFunctionAndRecordsHowToRunIt() async throws {
        try await RegistryProcess.with { registry in
            let files = [TarFile(path: "function", contents: Data("#!/bin/sh\necho hi\n".utf8), mode: 0o755),
                         TarFile(path: "etc/function.conf", contents: Data("x=1\n".utf8))]
            let image = try await Self.push(Self.meta("Function", "function-sh", apiVersion: "meta.pkg.crossplane.io/v1beta1"), to: registry,
                                            repository: "lab/function-sh", extraFiles: files)
            let xfn = try XfnProcess()
            let result = try await xfn.pull(["\(registry.host)/lab/function-sh:v1.0.0"], ["--plain-http", registry.host, "--unpack"])
            #expect(result.status == 0, "\(result.stderrText)")
            let rootfs = xfn.cacheDirectory + "/rootfs/\(image.manifestDigest.hex)"
            #expect(FileManager.default.isExecutableFile(atPath: rootfs + "/function"))
            #expect(try String(contentsOfFile: rootfs + "/etc/function.conf", encoding: .utf8) == "x=1\n")
            #expect(FileManager.default.fileExists(atPath: rootfs + "/package.yaml"))
            let record = try ValueJSON.parse(try Data(contentsOf: URL(fileURLWithPath: rootfs + ".json")))
            #expect(record["rootfs"]?.stringValue == rootfs)
            #expect(!(try FileManager.default.contentsOfDirectory(atPath: xfn.cacheDirectory + "/rootfs")).contains { $0.contains(".tmp-") })
        }
    }

    @Test func validateFollowsConfigurationDependenciesWithConstraints() async throws {
        try await RegistryProcess.with { registry in
            let host = registry.host
            let crd = Self.crd.replacingOccurrences(of: "schema: {openAPIV3Schema: {type: object}}",
                with: "schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, required: [region], properties: {region: {type: string}}}}}}")
            _ = try await Self.push(Self.meta("Provider", "provider-s3") + crd, to: registry, repository: "lab/provider-s3", tags: ["v1.0.0", "v1.1.0"])
            _ = try await Self.push(Self.meta("Configuration", "platform", dependencies: ["provider: \(host)/lab/provider-s3\nversion: \">=v1.0.0\""]),
                                    to: registry, repository: "lab/platform")
            let xfn = try XfnProcess()
            let configuration = try xfn.home.write("""
                apiVersion: pkg.crossplane.io/v1
                kind: Configuration
                metadata: {name: platform}
                spec: {package: \(host)/lab/platform:v1.0.0}
                """, to: "configuration.yaml")
            let bucket = try xfn.home.write("""
                apiVersion: s3.example.org/v1beta1
                kind: Bucket
                metadata: {name: b}
                spec: {}
                """, to: "bucket.yaml")
            let result = try await xfn.run(["validate", "--cache-dir", xfn.cacheDirectory, "--plain-http", host, configuration, bucket])
            #expect(result.status == 1, "\(result.stderrText)")
            #expect(!result.stderrText.contains("warning"), "\(result.stderrText)")
            #expect(result.stdoutText.contains("bucket.yaml:4:1: [x] schema validation error s3.example.org/v1beta1, Kind=Bucket, b : spec.region: Required value"), "\(result.stdoutText)")
        }
    }

    /// An image shaped like Crossplane's: CRD files under crds/, no package.yaml, pushed as `crossplane/crossplane:TAG`.
    static func pushCrossplaneImage(to registry: RegistryProcess, tag: String) async throws -> String {
        let shared = try SharedData.directory("corpus/crossplane-core-crds")
        let compositionsCRD = try Data(contentsOf: shared.appendingPathComponent("apiextensions.crossplane.io_compositions.yaml"))
        let layout = try TemporaryDirectory(prefix: "xfn-crossplane-image")
        defer { layout.remove() }
        let builder = try OCIImageBuilder(layoutPath: layout.appending("oci"))
        try builder.addImage(TestImage(layers: [.random(size: 512), .files([
            TarFile(path: "crds/apiextensions.crossplane.io_compositions.yaml", contents: compositionsCRD),
            TarFile(path: "usr/local/bin/crossplane", contents: Data("binary".utf8), mode: 0o755),
        ])]), tag: tag)
        try await Skopeo.push(layout: builder.layoutPath, tag: tag, to: registry, repository: "crossplane/crossplane", all: false)
        return "\(registry.host)/crossplane/crossplane:\(tag)"
    }

    /// A Composition with a field its CRD does not have.
    static let compositionWithUnknownField = """
        apiVersion: apiextensions.crossplane.io/v1
        kind: Composition
        metadata: {name: buckets}
        spec:
          compositeTypeRef: {apiVersion: demo.xfn.dev/v1alpha1, kind: XBucket}
          mode: Pipeline
          pipeline:
            - step: patch
              functionRef: {name: function-patch-and-transform}
              colour: blue
        """
    static let unknownColour = "[x] schema validation error apiextensions.crossplane.io/v1, Kind=Composition, buckets : spec.pipeline[0].colour: Invalid value: \"colour\": unknown field: \"colour\""

    @Test func crossplaneImageSuppliesCrossplanesOwnSchemas() async throws {
        try await RegistryProcess.with { registry in
            let image = try await Self.pushCrossplaneImage(to: registry, tag: "v2.1.0")
            let xfn = try XfnProcess()
            let composition = try xfn.home.write(Self.compositionWithUnknownField, to: "composition.yaml")
            let result = try await xfn.run(["validate", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host,
                                            "--crossplane-image", image, composition])
            #expect(result.status == 1, "\(result.stderrText)")
            #expect(result.stdoutText.contains(Self.unknownColour), "\(result.stdoutText)\(result.stderrText)")
        }
    }

    /// The default image is pulled only when a resource is one of Crossplane's kinds without a schema.
    @Test func defaultCrossplaneImageIsReadOnlyForCrossplaneKinds() async throws {
        try await RegistryProcess.with { registry in
            var xfn = try XfnProcess()
            xfn.environment["XFN_CROSSPLANE_IMAGE"] = try await Self.pushCrossplaneImage(to: registry, tag: "stable")
            let composition = try xfn.home.write(Self.compositionWithUnknownField, to: "composition.yaml")
            let crd = try xfn.home.write(Self.crd, to: "crd.yaml")
            let bucket = try xfn.home.write("apiVersion: s3.example.org/v1beta1\nkind: Bucket\nmetadata: {name: b}\n", to: "bucket.yaml")
            let validate = ["validate", "--cache-dir", xfn.cacheDirectory, "--plain-http", registry.host]
            func cached() async throws -> String { try await xfn.run(["cache", "list", "--cache-dir", xfn.cacheDirectory]).stdoutText }

            let plain = try await xfn.run(validate + [crd, bucket])
            #expect(plain.status == 0, "\(plain.stdoutText)\(plain.stderrText)")
            #expect(try await !cached().contains("crossplane/crossplane"), "a run without Crossplane kinds pulled the image")

            let offline = try await xfn.run(validate + ["--offline", composition])
            #expect(offline.status == 0, "\(offline.stdoutText)\(offline.stderrText)")
            #expect(offline.stdoutText.contains("[!] could not find CRD/XRD for: apiextensions.crossplane.io/v1, Kind=Composition"), "\(offline.stdoutText)")
            #expect(offline.stderrText.contains("xfn: warning: cannot read Crossplane's own schemas (for Composition) from \(registry.host)/crossplane/crossplane:stable"),
                    "\(offline.stderrText)")

            let turnedOff = try await xfn.run(validate + ["--crossplane-image", "", composition])
            #expect(turnedOff.status == 0)
            #expect(turnedOff.stdoutText.contains("[!] could not find CRD/XRD for"), "\(turnedOff.stdoutText)")
            #expect(try await !cached().contains("crossplane/crossplane"))

            let needed = try await xfn.run(validate + [composition])
            #expect(needed.status == 1, "\(needed.stderrText)")
            #expect(needed.stdoutText.contains(Self.unknownColour), "\(needed.stdoutText)\(needed.stderrText)")
            #expect(try await cached().contains("crossplane/crossplane"))

            let conflicting = try await xfn.run(validate + ["--crossplane-version", "v2.1.0", "--crossplane-image", "x", composition])
            #expect(conflicting.status != 0)
            #expect(conflicting.stderrText.contains("--crossplane-version and --crossplane-image both say which Crossplane image to use"), "\(conflicting.stderrText)")
        }
    }
}
