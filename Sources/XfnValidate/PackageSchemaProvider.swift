import XfnCore
import XfnYAML

/// Reads the objects of a Crossplane package (its `package.yaml`: the meta object, CRDs, XRDs) for
/// a reference such as `xpkg.crossplane.io/crossplane-contrib/provider-nop:v0.2.0`. The command
/// line implements it with the package puller; tests give it files.
public protocol PackageSchemaProvider: Sendable {
    /// The content digest the reference stands for, when it can be known without reading the
    /// package; with one, compiled schemas are cached per package and the package is not read again.
    func digest(forPackage reference: String) async throws -> String?

    /// Every object of the package, the `meta.pkg.crossplane.io` object included. Images that are not
    /// xpkgs (the Crossplane image) answer with the CRD files they carry.
    func documents(forPackage reference: String) async throws -> [YAMLDocument]
}

extension PackageSchemaProvider {
    public func digest(forPackage reference: String) async throws -> String? { nil }
}

/// The packages whose schemas a run needs, found the way crossplane finds them: every Provider and
/// Function package named, every Configuration package and its `dependsOn` (following dependencies
/// that are Configurations, transitively), and the Crossplane image when one is given.
public struct PackagePlan: Sendable, Equatable {
    /// Packages whose objects are schema sources.
    public var packages: Set<String> = []
    /// Configurations seen (package references, or the names of local `crossplane.yaml` files).
    public var configurations: Set<String> = []
    /// Configurations that could not be read, when resolving tolerantly.
    public var failures: [String] = []

    public init() {}

    /// The references a meta Configuration depends on, as crossplane spells them: `image@digest`
    /// when the version is a digest, else `image:version` (a version may be a constraint).
    public static func dependencies(of meta: Value) -> [(reference: String, isConfiguration: Bool)] {
        var result: [(String, Bool)] = []
        for dependency in meta["spec"]?["dependsOn"]?.arrayValue ?? [] {
            let image = ["package", "configuration", "provider", "function"].lazy
                .compactMap { dependency[$0]?.stringValue }.first
            guard let image, !image.isEmpty else { continue }
            let version = dependency["version"]?.stringValue ?? ""
            let reference = isDigest(version) ? "\(image)@\(version)" : "\(image):\(version)"
            let isConfiguration = dependency["configuration"] != nil || dependency["kind"]?.stringValue == "Configuration"
            result.append((reference, isConfiguration))
        }
        return result
    }

    /// Follows configurations: local metas are read as given, configuration packages through
    /// `provider` (their meta object gives their dependencies).
    public static func resolve(packages named: [String], configurationPackages: [String], configurationMetas: [(name: String, meta: Value)],
                               crossplaneImage: String?, provider: (any PackageSchemaProvider)?,
                               tolerant: Bool = false) async throws -> PackagePlan {
        var plan = PackagePlan()
        plan.packages.formUnion(named)
        if let crossplaneImage, !crossplaneImage.isEmpty { plan.packages.insert(crossplaneImage) }
        var pending: [(name: String, meta: Value?)] = configurationMetas.map { ($0.name, $0.meta) }
        pending += configurationPackages.map { ($0, nil) }
        while !pending.isEmpty {
            let (name, known) = pending.removeFirst()
            guard !plan.configurations.contains(name) else { continue }
            plan.configurations.insert(name)
            var meta = known
            if meta == nil {
                plan.packages.insert(name)
                let documents: [YAMLDocument]
                do {
                    guard let provider else { throw missingProvider(name) }
                    documents = try await provider.documents(forPackage: name)
                } catch {
                    guard tolerant else { throw error }
                    // Reported once here; its schemas would fail the same way.
                    plan.packages.remove(name)
                    plan.failures.append("cannot read the dependencies of \(name): \((error as? any XfnError)?.message ?? "\(error)")")
                    continue
                }
                meta = documents.first { GroupVersionKind(of: $0.value)?.group == GroupVersionKind.packageMetaGroup }?.value
            }
            for dependency in dependencies(of: meta ?? .null) {
                plan.packages.insert(dependency.reference)
                if dependency.isConfiguration, !plan.configurations.contains(dependency.reference) {
                    pending.append((dependency.reference, nil))
                }
            }
        }
        return plan
    }

    /// `sha256:` and 64 hexadecimal digits, as go-containerregistry's hash parser accepts.
    static func isDigest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
    }

    static func missingProvider(_ reference: String) -> ValidateError {
        ValidateError("cannot read the schemas of package \(reference): this command cannot pull packages",
                      hint: "give the package's CRDs as files instead (e.g. with --extensions)")
    }
}
