import Foundation
import XfnCore
import XfnYAML

/// A package's package.yaml, understood: its metadata and the objects it carries (CRDs, XRDs,
/// Compositions, webhook configurations).
public struct PackageContents: Sendable {
    public let meta: PackageMeta
    /// The `meta.pkg.crossplane.io` document itself, as written.
    public let metaDocument: YAMLDocument
    /// Every other object: CRDs, XRDs, Compositions, webhook configurations.
    public let documents: [YAMLDocument]

    /// The meta document first, then the rest, as package.yaml holds them.
    public var allDocuments: [YAMLDocument] { [metaDocument] + documents }

    /// A kind a package defines, from a CRD or an XRD.
    public struct DefinedKind: Sendable, Hashable, Codable, Comparable {
        public var group: String
        public var kind: String
        public var versions: [String]
        /// `CustomResourceDefinition` or `CompositeResourceDefinition`.
        public var definedBy: String
        /// The claim kind of an XRD that offers claims.
        public var claimKind: String?

        public static func < (lhs: DefinedKind, rhs: DefinedKind) -> Bool { (lhs.group, lhs.kind) < (rhs.group, rhs.kind) }
    }

    public init(yaml data: Data, source: String) throws {
        // Crossplane reads packages leniently: a repeated key keeps its last value.
        let documents = try YAMLReader.read(data, file: source, options: YAMLReader.Options(allowDuplicateKeys: true))
        guard !documents.isEmpty else {
            throw PackageError("\(source) is empty", hint: "a package needs its meta.pkg.crossplane.io object", exitCode: .failure)
        }
        let metas = documents.filter { ($0.value["apiVersion"]?.stringValue ?? "").hasPrefix("meta.pkg.crossplane.io/") }
        guard metas.count == 1 else {
            throw PackageError("\(source) holds \(metas.count) meta.pkg.crossplane.io objects; a package has exactly one", exitCode: .failure)
        }
        self.meta = try PackageMeta(metas[0].value)
        self.metaDocument = metas[0]
        self.documents = documents.filter { !($0.value["apiVersion"]?.stringValue ?? "").hasPrefix("meta.pkg.crossplane.io/") }
    }

    /// Every kind the package defines, sorted.
    public var definedKinds: [DefinedKind] {
        documents.compactMap { document -> DefinedKind? in
            let value = document.value
            let kind = value["kind"]?.stringValue
            guard kind == "CustomResourceDefinition" || kind == "CompositeResourceDefinition",
                let group = value.value(at: ["spec", "group"])?.stringValue,
                let defined = value.value(at: ["spec", "names", "kind"])?.stringValue
            else { return nil }
            let versions = value.value(at: ["spec", "versions"])?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            let claim = value.value(at: ["spec", "claimNames", "kind"])?.stringValue
            return DefinedKind(group: group, kind: defined, versions: versions, definedBy: kind!, claimKind: claim)
        }.sorted()
    }
}
