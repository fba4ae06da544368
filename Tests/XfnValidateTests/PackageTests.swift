import Foundation
import Testing
import XfnCore
import XfnYAML
@testable import XfnValidate

/// Packages as schema sources, through the provider seam: a provider that serves each package's
/// objects from YAML text, and counts what it was asked.
final class FilePackageProvider: PackageSchemaProvider, @unchecked Sendable {
    private let lock = NSLock()
    private let packages: [String: String]
    private let digests: [String: String]
    private var requested: [String] = []

    init(packages: [String: String], digests: [String: String] = [:]) {
        self.packages = packages
        self.digests = digests
    }

    var documentRequests: [String] { lock.withLock { requested } }

    func digest(forPackage reference: String) async throws -> String? { digests[reference] }

    func documents(forPackage reference: String) async throws -> [YAMLDocument] {
        lock.withLock { requested.append(reference) }
        guard let text = packages[reference] else {
            throw ValidateError("no package \(reference) in this test")
        }
        return try YAMLReader.read(text, file: reference)
    }
}

@Suite struct PackageTests {
    static func meta(_ kind: String, name: String, dependsOn: [(key: String, image: String, version: String)]) -> String {
        var text = "apiVersion: meta.pkg.crossplane.io/v1\nkind: \(kind)\nmetadata:\n  name: \(name)\nspec:\n"
        text += dependsOn.isEmpty ? "  dependsOn: []\n" : "  dependsOn:\n"
        for dependency in dependsOn {
            text += "  - \(dependency.key): \(dependency.image)\n    version: \"\(dependency.version)\"\n"
        }
        return text
    }

    static let registry = "xpkg.crossplane.io/crossplane-contrib"

    static func configurationPackage(named name: String, dependsOn: [(key: String, image: String, version: String)]) -> String {
        meta("Configuration", name: name, dependsOn: dependsOn)
    }

    // MARK: crossplane's TestConfigurationTypeSupport and TestAddDependencies

    @Test func configurationPackageCountsItselfAndItsDependency() async throws {
        let provider = FilePackageProvider(packages: [
            "\(Self.registry)/config-pkg:v1.3.0": Self.configurationPackage(named: "config-pkg", dependsOn: [("provider", "\(Self.registry)/provider-dep-1", "v1.3.0")]),
        ])
        let plan = try await PackagePlan.resolve(packages: [], configurationPackages: ["\(Self.registry)/config-pkg:v1.3.0"],
                                                 configurationMetas: [], crossplaneImage: nil, provider: provider)
        #expect(plan.configurations.count == 1)
        #expect(plan.packages == ["\(Self.registry)/config-pkg:v1.3.0", "\(Self.registry)/provider-dep-1:v1.3.0"])
    }

    @Test func localConfigurationMetaIsNotDownloaded() async throws {
        let meta = try Fixtures.value(Self.meta("Configuration", name: "local", dependsOn: [("function", "\(Self.registry)/function-dep-1", "v1.3.0")]))
        let provider = FilePackageProvider(packages: [:])
        let plan = try await PackagePlan.resolve(packages: [], configurationPackages: [], configurationMetas: [("local", meta)],
                                                 crossplaneImage: nil, provider: provider)
        #expect(plan.configurations.count == 1)
        #expect(plan.packages.count == 1)
        #expect(provider.documentRequests.isEmpty)
    }

    @Test func metaAndPackageTogether() async throws {
        let meta = try Fixtures.value(Self.meta("Configuration", name: "local", dependsOn: [
            ("provider", "\(Self.registry)/provider-dep-1", "v1.3.0"),
            ("function", "\(Self.registry)/function-dep-1", "v1.3.0"),
            ("provider", "\(Self.registry)/provider-dep-2", "v1.3.0"),
        ]))
        let provider = FilePackageProvider(packages: [
            "\(Self.registry)/config-pkg:v1.3.0": Self.configurationPackage(named: "config-pkg", dependsOn: [("provider", "\(Self.registry)/provider-dep-3", "v1.3.0")]),
        ])
        let plan = try await PackagePlan.resolve(packages: [], configurationPackages: ["\(Self.registry)/config-pkg:v1.3.0"],
                                                 configurationMetas: [("local", meta)], crossplaneImage: nil, provider: provider)
        #expect(plan.configurations.count == 2)
        #expect(plan.packages.count == 5)
    }

    @Test func functionPackagesAreCountedOnce() async throws {
        let one = try await PackagePlan.resolve(packages: ["\(Self.registry)/function-a:v1"], configurationPackages: [],
                                                configurationMetas: [], crossplaneImage: nil, provider: nil)
        #expect(one.packages.count == 1)
        let two = try await PackagePlan.resolve(packages: ["\(Self.registry)/function-a:v1", "\(Self.registry)/function-b:v1", "\(Self.registry)/function-a:v1"],
                                                configurationPackages: [], configurationMetas: [], crossplaneImage: nil, provider: nil)
        #expect(two.packages.count == 2)
    }

    @Test func configurationDependenciesAreFollowedTransitively() async throws {
        let provider = FilePackageProvider(packages: [
            "\(Self.registry)/config-dep-1:v1.3.0": Self.configurationPackage(named: "config-dep-1", dependsOn: [("configuration", "\(Self.registry)/config-dep-2", "v1.3.0")]),
            "\(Self.registry)/config-dep-2:v1.3.0": Self.configurationPackage(named: "config-dep-2", dependsOn: [
                ("provider", "\(Self.registry)/provider-dep-1", "v1.3.0"), ("function", "\(Self.registry)/function-dep-1", "v1.3.0"),
            ]),
        ])
        for image in [nil, "xpkg.crossplane.io/crossplane/crossplane:v2.0.0"] {
            let plan = try await PackagePlan.resolve(packages: [], configurationPackages: ["\(Self.registry)/config-dep-1:v1.3.0"],
                                                     configurationMetas: [], crossplaneImage: image, provider: provider)
            #expect(plan.configurations.count == 2)
            #expect(plan.packages.count == (image == nil ? 4 : 5))
        }
    }

    @Test func digestVersionsPinWithAt() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let meta = try Fixtures.value(Self.meta("Configuration", name: "x", dependsOn: [
            ("provider", "\(Self.registry)/provider-a", digest), ("function", "\(Self.registry)/function-b", ">=v0.6.0"),
        ]))
        #expect(PackagePlan.dependencies(of: meta).map(\.reference) == [
            "\(Self.registry)/provider-a@\(digest)", "\(Self.registry)/function-b:>=v0.6.0",
        ])
    }

    // MARK: Packages in a run

    static let providerReference = "\(registry)/provider-test:v1.0.0"

    static var providerPackage: String {
        meta("Provider", name: "provider-test", dependsOn: []) + "---\n" + Fixtures.testCRD
    }

    @Test func providerObjectsBringTheirPackagesSchemas() async throws {
        let workspace = try Workspace()
        try workspace.write("provider.yaml", """
            apiVersion: pkg.crossplane.io/v1
            kind: Provider
            metadata: {name: provider-test}
            spec:
              package: \(Self.providerReference)
            """)
        try workspace.write("test.yaml", Fixtures.test(replicas: "\"3\""))
        let provider = FilePackageProvider(packages: [Self.providerReference: Self.providerPackage])
        let report = try await workspace.run(inputs: ["provider.yaml", "test.yaml"], provider: provider)
        #expect(report.notices.isEmpty, "\(report.notices)")
        #expect(report.results.map(\.status) == [.invalid])
        #expect(provider.documentRequests == [Self.providerReference])
    }

    @Test func packageSchemasAreCachedByDigest() async throws {
        let workspace = try Workspace()
        try workspace.write("provider.yaml", """
            apiVersion: pkg.crossplane.io/v1
            kind: Provider
            metadata: {name: provider-test}
            spec:
              package: \(Self.providerReference)
            """)
        try workspace.write("test.yaml", Fixtures.test())
        let digest = "sha256:" + String(repeating: "1f", count: 32)
        let provider = FilePackageProvider(packages: [Self.providerReference: Self.providerPackage],
                                           digests: [Self.providerReference: digest])
        let cold = try await workspace.run(inputs: ["provider.yaml", "test.yaml"], cached: true, provider: provider)
        let warm = try await workspace.run(inputs: ["provider.yaml", "test.yaml"], cached: true, provider: provider)
        #expect(cold.results.map(\.status) == [.valid])
        #expect(warm.results.map(\.status) == [.valid])
        #expect(provider.documentRequests == [Self.providerReference])
        #expect(warm.statistics.cachedPackages == 1)
    }

    @Test func unreadablePackagesAreWarningsForXfnAndErrorsForTheAliases() async throws {
        let workspace = try Workspace()
        try workspace.write("function.yaml", """
            apiVersion: pkg.crossplane.io/v1
            kind: Function
            metadata: {name: function-absent}
            spec:
              package: \(Self.registry)/function-absent:v1
            """)
        try workspace.write("test.yaml", Fixtures.test())
        let provider = FilePackageProvider(packages: [:])
        let report = try await workspace.run(inputs: ["function.yaml", "test.yaml"], provider: provider)
        #expect(report.notices.count == 1)
        #expect(report.notices.first?.contains("function-absent") == true)
        #expect(report.results.map(\.status) == [.missingSchema])
        await #expect(throws: ValidateError.self) {
            _ = try await workspace.run(sources: ["function.yaml"], inputs: ["test.yaml"], mode: .crossplane, provider: provider)
        }
    }

    @Test func crossplaneImageIsASchemaSource() async throws {
        let workspace = try Workspace()
        try workspace.write("test.yaml", Fixtures.test())
        let image = "xpkg.crossplane.io/crossplane/crossplane:v2.0.0"
        let provider = FilePackageProvider(packages: [image: Fixtures.testCRD])
        let report = try await workspace.run(inputs: ["test.yaml"], provider: provider, crossplaneImage: image)
        #expect(report.results.map(\.status) == [.valid])
    }
}
