import XfnCore

/// Crossplane's own kinds (Composition, CompositeResourceDefinition, EnvironmentConfig, Operation, …)
/// have their CRDs only inside the Crossplane image. An image the user names is read like any package;
/// the default one is read only when a resource of such a kind has no schema from anywhere else, so a
/// run without Crossplane objects never touches the network for it.
public enum CrossplaneSchemas {
    public static let defaultRepository = "xpkg.crossplane.io/crossplane/crossplane"
    public static let defaultTag = "stable"

    /// `repository:version`, the `stable` tag without a version.
    public static func defaultImage(version: String?) -> String {
        "\(defaultRepository):\(version.map { $0.isEmpty ? defaultTag : $0 } ?? defaultTag)"
    }

    /// Whether the Crossplane image holds the schema of `gvk`: every `*.crossplane.io` group but the
    /// package metadata one, whose objects (crossplane.yaml) are not cluster objects.
    static func describes(_ gvk: GroupVersionKind) -> Bool {
        (gvk.group == "crossplane.io" || gvk.group.hasSuffix(".crossplane.io")) && gvk.group != GroupVersionKind.packageMetaGroup
    }

    /// Adds the schemas of `image` when some kind among `needed` is one of Crossplane's that `catalog`
    /// lacks; returns whether it did. A failure is a notice: the user did not ask for the image, and
    /// its kinds then show as missing schemas.
    static func addMissing(_ needed: Set<GroupVersionKind>, from image: String, to catalog: inout SchemaCatalog,
                           options: ValidationRun.Options, notices: inout [String]) async -> Bool {
        let missing = needed.filter { describes($0) && !catalog.contains($0) }
        guard !missing.isEmpty else { return false }
        do {
            guard let provider = options.packageProvider else { throw PackagePlan.missingProvider(image) }
            var fromImage = SchemaCatalog()
            try await fromImage.addPackage(image, provider: provider, cache: options.cache, notices: &notices)
            catalog.fill(from: fromImage)
            return true
        } catch {
            let kinds = missing.sorted().map(\.kind).joined(separator: ", ")
            notices.append("cannot read Crossplane's own schemas (for \(kinds)) from \(image): \((error as? any XfnError)?.message ?? "\(error)"); "
                + "pull it while online, name another image with --crossplane-image, or turn this off with --crossplane-image ''")
            return false
        }
    }
}
