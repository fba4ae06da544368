import Foundation
import Testing
@testable import XfnOCI

@Suite struct ManifestDecodingTests {
    let configDigest = "sha256:" + String(repeating: "1", count: 64)
    let layerDigest = "sha256:" + String(repeating: "2", count: 64)

    var ociManifest: String {
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\#(configDigest)","size":10},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"\#(layerDigest)","size":20,"annotations":{"io.crossplane.xpkg":"base"}}]}"#
    }

    @Test func decodesOCIManifestWithLayerAnnotations() throws {
        guard case .image(let manifest) = try ManifestDocument.decode(Data(ociManifest.utf8), declaredMediaType: nil) else {
            Issue.record("not decoded as an image manifest")
            return
        }
        #expect(manifest.layers.first?.annotations?[Descriptor.xpkgAnnotation] == "base")
        #expect(manifest.config.size == 10)
    }

    @Test func decodesDockerManifestListByDeclaredType() throws {
        let list = #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"\#(layerDigest)","size":5,"platform":{"os":"linux","architecture":"amd64"}}]}"#
        guard case .index(let index) = try ManifestDocument.decode(Data(list.utf8), declaredMediaType: MediaType.dockerManifestList + "; charset=utf-8") else {
            Issue.record("not decoded as an index")
            return
        }
        #expect(index.manifests.first?.platform?.architecture == "amd64")
    }

    @Test func infersTypeWhenNothingIsDeclared() throws {
        let index = #"{"schemaVersion":2,"manifests":[]}"#
        guard case .index = try ManifestDocument.decode(Data(index.utf8), declaredMediaType: "") else {
            Issue.record("an index without mediaType was not recognised")
            return
        }
    }

    @Test func refusesSchema1ByName() {
        let schema1 = #"{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}"#
        #expect {
            try ManifestDocument.decode(Data(schema1.utf8), declaredMediaType: MediaType.dockerSchema1Signed)
        } throws: { error in
            (error as? ManifestDocument.DecodeError)?.message.contains("schema 1") == true
        }
    }

    @Test func namesTheMissingField() {
        let broken = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#
        #expect {
            try ManifestDocument.decode(Data(broken.utf8), declaredMediaType: nil)
        } throws: { error in
            (error as? ManifestDocument.DecodeError)?.message.contains("config") == true
        }
    }

    @Test func refusesUnknownMediaTypes() {
        #expect(throws: ManifestDocument.DecodeError.self) {
            try ManifestDocument.decode(Data(#"{"mediaType":"text/plain"}"#.utf8), declaredMediaType: nil)
        }
    }

    @Test func acceptHeaderOffersEveryManifestType() {
        for type in [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifest, MediaType.dockerManifestList] {
            #expect(MediaType.manifestAcceptHeader.contains(type))
        }
    }
}
