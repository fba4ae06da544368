import Foundation
import Testing
import XfnCore
@testable import XfnOCI

@Suite struct PlatformTests {
    func descriptor(_ platform: Platform?, _ byte: String) throws -> Descriptor {
        Descriptor(mediaType: MediaType.ociManifest, digest: try Digest(parsing: "sha256:" + String(repeating: byte, count: 64)), size: 10, platform: platform)
    }

    @Test func parsesAndNormalises() throws {
        #expect(try Platform(parsing: "linux/x86_64") == Platform(os: "linux", architecture: "amd64"))
        #expect(try Platform(parsing: "Linux/ARM64/v8") == Platform(os: "linux", architecture: "arm64", variant: "v8"))
        #expect(throws: Platform.ParseError.self) { try Platform(parsing: "linux") }
        #expect(throws: Platform.ParseError.self) { try Platform(parsing: "linux//") }
    }

    @Test func selectsTheRequestedPlatform() throws {
        let index = ImageIndex(manifests: [
            try descriptor(Platform(os: "linux", architecture: "amd64"), "a"),
            try descriptor(Platform(os: "linux", architecture: "arm64", variant: "v8"), "b"),
        ])
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "arm64")).digest.hex.hasPrefix("b"))
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "arm64", variant: "v8")).digest.hex.hasPrefix("b"))
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "amd64")).digest.hex.hasPrefix("a"))
    }

    @Test func fallsBackToLinuxAmd64LikeCrossplane() throws {
        let index = ImageIndex(manifests: [
            try descriptor(Platform(os: "linux", architecture: "amd64"), "a"),
        ])
        #expect(try index.manifest(for: Platform(os: "linux", architecture: "s390x")).digest.hex.hasPrefix("a"))
    }

    @Test func reportsWhatIsAvailableWhenNothingMatches() throws {
        let index = ImageIndex(manifests: [try descriptor(Platform(os: "windows", architecture: "amd64"), "a")])
        #expect {
            try index.manifest(for: Platform(os: "linux", architecture: "arm64"))
        } throws: { error in
            (error as? ImageIndex.NoMatchingPlatform)?.message.contains("windows/amd64") == true
        }
    }

    @Test func armVariantDefaultsToV8() {
        let wanted = Platform(os: "linux", architecture: "arm64", variant: "v8")
        #expect(wanted.isSatisfied(by: Platform(os: "linux", architecture: "arm64")))
        #expect(!wanted.isSatisfied(by: Platform(os: "linux", architecture: "arm64", variant: "v9")))
    }
}
