import XfnCore

/// `os/architecture[/variant]`, as in an image index and in `--platform`.
public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
    public var os: String
    public var architecture: String
    public var variant: String?

    public init(os: String, architecture: String, variant: String? = nil) {
        self.os = os
        self.architecture = architecture
        self.variant = variant
    }

    public struct ParseError: XfnError {
        public let text: String
        public var message: String { "invalid platform '\(text)'" }
        public var hint: String? { "write it as OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8" }
        public var exitCode: ExitStatus { .usage }
    }

    public init(parsing text: String) throws {
        let parts = text.lowercased().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else { throw ParseError(text: text) }
        self.init(os: parts[0], architecture: Self.normalizedArchitecture(parts[1]), variant: parts.count == 3 ? parts[2] : nil)
    }

    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }

    /// The platform of the running process.
    public static var current: Platform {
        #if arch(x86_64)
        Platform(os: "linux", architecture: "amd64")
        #elseif arch(arm64)
        Platform(os: "linux", architecture: "arm64")
        #else
        Platform(os: "linux", architecture: "unknown")
        #endif
    }

    /// Crossplane falls back to linux/amd64 when an index has nothing for the requested platform.
    public static let fallback = Platform(os: "linux", architecture: "amd64")

    static func normalizedArchitecture(_ arch: String) -> String {
        switch arch {
        case "x86_64", "x86-64": "amd64"
        case "aarch64": "arm64"
        default: arch
        }
    }

    /// Whether an index entry serves this requested platform; a missing variant matches any variant,
    /// and arm64's implicit `v8` matches an explicit one.
    public func isSatisfied(by candidate: Platform) -> Bool {
        guard candidate.os == os, Self.normalizedArchitecture(candidate.architecture) == architecture else { return false }
        guard let variant else { return true }
        let theirs = candidate.variant ?? (architecture == "arm64" ? "v8" : nil)
        return theirs == variant
    }
}

extension ImageIndex {
    public struct NoMatchingPlatform: XfnError {
        public let requested: Platform
        public let available: [Platform]
        public var message: String {
            "no image for \(requested) in the index; it has \(available.isEmpty ? "no platforms" : available.map(\.description).joined(separator: ", "))"
        }
        public var hint: String? { "choose one with --platform" }
        public var exitCode: ExitStatus { .registry }
    }

    /// The manifest for `platform`, else linux/amd64 as Crossplane does, else the only entry when the
    /// index declares no platforms at all.
    public func manifest(for platform: Platform) throws -> Descriptor {
        let images = manifests.filter { MediaType.isManifest($0.mediaType) }
        if let match = images.first(where: { $0.platform.map(platform.isSatisfied(by:)) ?? false }) { return match }
        if let fallback = images.first(where: { $0.platform.map(Platform.fallback.isSatisfied(by:)) ?? false }) {
            return fallback
        }
        if images.count == 1, images[0].platform == nil { return images[0] }
        throw NoMatchingPlatform(requested: platform, available: images.compactMap(\.platform))
    }
}
