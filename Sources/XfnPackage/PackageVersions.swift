import XfnCore
import XfnOCI

/// Turns a package name and the versions asked of it — digests, exact tags, semantic version
/// constraints — into one reference, listing the repository's tags only when a constraint needs them.
public enum PackageVersions {
    /// `requirements` pairs each version asked for (nil: any) with who asked, for the conflict message.
    public static func reference(name: String, requirements: [(constraint: String?, by: String)],
                                 listTags: () async throws -> [String]) async throws -> Reference {
        let versions = requirements.compactMap(\.constraint).filter { !$0.isEmpty }
        if let digestText = versions.first(where: { $0.hasPrefix("sha256:") }) {
            let digest = try Digest(parsing: digestText)
            if let other = versions.first(where: { $0 != digestText }) {
                throw conflict(name, requirements, detail: "\(digestText) is pinned, but \(other) is also required")
            }
            return try Reference(parsing: "\(name)@\(digest)")
        }
        // One exact, non-semver tag (`latest`, `main`) is used as written.
        if versions.count == 1, (try? VersionConstraint(versions[0])) == nil {
            return try Reference(parsing: "\(name):\(versions[0])")
        }
        let constraints = try versions.map { try VersionConstraint($0) }
        let tags = try await listTags()
        let candidates = tags.compactMap(SemanticVersion.init)
            .filter { version in constraints.allSatisfy { $0.isSatisfied(by: version) } }
            .filter { constraints.isEmpty ? !$0.isPrerelease : true }
        guard let best = candidates.max() else {
            throw conflict(name, requirements, detail: "no tag of \(name) satisfies them (\(tags.count) tags listed)")
        }
        return try Reference(parsing: "\(name):\(best.original)")
    }

    /// A reference written `name:version` where the version may be a constraint (`>=v1.2.0`), as
    /// `dependsOn` entries become when joined: the reference itself when it parses, else resolved.
    public static func reference(joined text: String, listTags: (Reference) async throws -> [String]) async throws -> Reference {
        if let parsed = try? Reference(parsing: text) { return parsed }
        let slash = text.lastIndex(of: "/") ?? text.startIndex
        guard let colon = text[slash...].firstIndex(of: ":") else { return try Reference(parsing: text) }
        let name = String(text[..<colon])
        let version = String(text[text.index(after: colon)...])
        let probe = try Reference(parsing: name + ":latest")
        return try await reference(name: name, requirements: [(version, text)]) { try await listTags(probe) }
    }

    static func conflict(_ name: String, _ requirements: [(constraint: String?, by: String)], detail: String) -> PackageError {
        let asked = requirements.map { "\($0.by) requires \($0.constraint ?? "any version")" }.joined(separator: "; ")
        return PackageError("cannot resolve dependency \(name): \(asked); \(detail)",
                            hint: "relax one of the version constraints so one version of \(name) satisfies all of them", exitCode: .failure)
    }
}
