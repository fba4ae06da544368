import Foundation
import XfnCore
import XfnOCI
import XfnPackage
import XfnRegistry
import XfnStore
import XfnValidate
import XfnYAML

/// Package schema sources for `xfn validate`: packages are pulled into the cache with the usual
/// credentials, then their `package.yaml` objects are handed to the validator.
struct ValidatePackageProvider: PackageSchemaProvider {
    let registry: RegistryClient
    let store: ContentStore
    let options: Puller.Options
    /// Reads the objects of a pulled package. Reading `package.yaml` out of the package's layers
    /// belongs to XfnPackage; until it is wired here this reports that it cannot.
    let readPackage: @Sendable (Puller.Result) async throws -> [YAMLDocument]
    /// Told when a package is fetched, for crossplane's `schemas does not exist, downloading:` line.
    let announce: @Sendable (String) -> Void

    init(registry: RegistryClient, store: ContentStore, options: Puller.Options,
         announce: @escaping @Sendable (String) -> Void = { _ in },
         readPackage: @escaping @Sendable (Puller.Result) async throws -> [YAMLDocument] = Self.unavailable) {
        self.registry = registry
        self.store = store
        self.options = options
        self.announce = announce
        self.readPackage = readPackage
    }

    /// The manifest digest recorded when the reference was last pulled: a warm run uses its cached
    /// schemas without touching the network.
    func digest(forPackage reference: String) async throws -> String? {
        let parsed = try Reference(parsing: reference)
        return store.record(for: parsed.description)?.manifest.description
    }

    func documents(forPackage reference: String) async throws -> [YAMLDocument] {
        let parsed = try Reference(parsing: reference)
        if store.record(for: parsed.description) == nil { announce(reference) }
        let result = try await Puller(registry: registry, store: store).pull(parsed, options: options)
        return try await readPackage(result)
    }

    static let unavailable: @Sendable (Puller.Result) async throws -> [YAMLDocument] = { result in
        throw ValidateError("reading the objects of package \(result.reference) is not available in this build",
                            hint: "give the package's CRDs as files, e.g. with --extensions")
    }
}
