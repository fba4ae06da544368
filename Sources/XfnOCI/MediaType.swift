/// The media types xfn understands, OCI and Docker schema 2 alike.
public enum MediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    public static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    public static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    public static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    public static let ociLayerNondistributableGzip = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"

    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    public static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    public static let dockerLayerForeignGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    /// Schema 1 manifests are long deprecated; named so xfn can refuse them by name.
    public static let dockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json"
    public static let dockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws"

    /// Sent as `Accept` on manifest requests, most preferred first.
    public static let acceptedManifests = [ociIndex, dockerManifestList, ociManifest, dockerManifest]

    public static func isIndex(_ type: String) -> Bool { type == ociIndex || type == dockerManifestList }
    public static func isManifest(_ type: String) -> Bool { type == ociManifest || type == dockerManifest }

    public static func isLayer(_ type: String) -> Bool {
        [ociLayer, ociLayerGzip, ociLayerZstd, ociLayerNondistributableGzip, dockerLayerGzip, dockerLayerForeignGzip]
            .contains(type)
    }

    /// The `Accept` header value for manifest requests.
    public static var manifestAcceptHeader: String { acceptedManifests.joined(separator: ", ") }
}
