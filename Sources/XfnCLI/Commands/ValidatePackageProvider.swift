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
    /// Told when a package is fetched, for crossplane's `schemas does not exist, downloading:` line.
    let announce: @Sendable (String) -> Void

    init(registry: RegistryClient, store: ContentStore, options: Puller.Options,
         announce: @escaping @Sendable (String) -> Void = { _ in }) {
        self.registry = registry
        self.store = store
        self.options = options
        self.announce = announce
    }

    /// The manifest digest recorded when the reference was last pulled: a warm run uses its cached
    /// schemas without touching the network.
    func digest(forPackage reference: String) async throws -> String? {
        // A constraint (`>=v1.0.0`) has no record of its own; its resolution is looked up when read.
        guard let parsed = try? Reference(parsing: reference) else { return nil }
        return try store.record(for: parsed.description)?.manifest.description
    }

    func documents(forPackage reference: String) async throws -> [YAMLDocument] {
        let parsed = try await PackageVersions.reference(joined: reference) { probe in try await registry.listTags(probe) }
        if try store.record(for: parsed.description) == nil { announce(reference) }
        let result = try await Puller(registry: registry, store: store).pull(parsed, options: options)
        return try await PackageLoader(store: store).schemaDocuments(
            manifestDigest: result.manifestDigest, manifest: result.manifest, name: result.reference.description)
    }
}
