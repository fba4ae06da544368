import XfnCore

/// Why a reference was refused, with the part that is wrong and, where one exists, what was meant.
public struct ReferenceError: XfnError {
    public let reference: String
    public let reason: String
    public let suggestion: String?

    public var message: String { "invalid reference '\(reference)': \(reason)" }
    public var hint: String? { suggestion }
    public var exitCode: ExitStatus { .usage }
}

extension Reference {
    public init(parsing text: String) throws {
        func fail(_ reason: String, _ suggestion: String? = nil) -> ReferenceError {
            ReferenceError(reference: text, reason: reason, suggestion: suggestion)
        }
        guard !text.isEmpty else { throw fail("the reference is empty") }
        guard !text.contains(where: { $0.isWhitespace }) else { throw fail("it contains white space") }
        guard !text.contains("://") else {
            let bare = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: true).dropFirst().joined(separator: "/")
            throw fail("a reference has no scheme", "write it as \(bare)")
        }

        var remainder = Substring(text)
        var digest: Digest?
        if let at = remainder.firstIndex(of: "@") {
            let digestText = String(remainder[remainder.index(after: at)...])
            do { digest = try Digest(parsing: digestText) } catch let error as Digest.ParseError {
                throw fail(error.reason, "a digest looks like @sha256: followed by 64 lowercase hexadecimal characters")
            }
            remainder = remainder[..<at]
        }

        var tag: String?
        if let lastColon = remainder.lastIndex(of: ":"), !remainder[lastColon...].contains("/") {
            let tagText = String(remainder[remainder.index(after: lastColon)...])
            try Self.checkTag(tagText, fail: fail)
            tag = tagText
            remainder = remainder[..<lastColon]
        }

        let components = remainder.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard components.count >= 2, Self.looksLikeRegistry(components[0]) else {
            let path = String(remainder)
            let shown = path + (tag.map { ":\($0)" } ?? "") + (digest.map { "@\($0)" } ?? (tag == nil ? ":TAG" : ""))
            let dockerPath = components.count == 1 ? "library/" + shown : shown
            throw fail(
                "the registry is missing; references must be fully qualified",
                "name the registry, e.g. xpkg.crossplane.io/\(shown) or docker.io/\(dockerPath)")
        }

        let registry = components[0]
        try Self.checkRegistry(registry, fail: fail)
        var pathComponents = Array(components.dropFirst())
        for component in pathComponents { try Self.checkPathComponent(component, fail: fail) }
        if Self.dockerHubAliases.contains(registry), pathComponents.count == 1 {
            pathComponents.insert("library", at: 0)
        }
        let repository = pathComponents.joined(separator: "/")
        guard registry.count + 1 + repository.count <= Self.maximumNameLength else {
            throw fail("the name is longer than \(Self.maximumNameLength) characters")
        }
        guard tag != nil || digest != nil else {
            throw fail("it names neither a tag nor a digest", "add the version you want, e.g. \(text):v1.0.0, or pin a digest with @sha256:…")
        }
        self.init(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    /// The first component is a registry when it has a dot, a port, is `localhost`, or is an IPv6 literal,
    /// as Docker decides it.
    static func looksLikeRegistry(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost" || component.hasPrefix("[")
    }

    static func checkRegistry(_ registry: String, fail: (String, String?) -> ReferenceError) throws {
        var host = Substring(registry)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw fail("unterminated IPv6 address in '\(registry)'", nil) }
            let after = host[host.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 address in '\(registry)'", nil) }
                port = after.dropFirst()
            }
            let inner = host[host.index(after: host.startIndex)..<close]
            guard !inner.isEmpty, inner.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                throw fail("'\(registry)' is not a valid IPv6 address", nil)
            }
        } else {
            if let colon = host.firstIndex(of: ":") {
                port = host[host.index(after: colon)...]
                host = host[..<colon]
            }
            for label in host.split(separator: ".", omittingEmptySubsequences: false) {
                guard !label.isEmpty, label.count <= 63,
                    label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                    label.first != "-", label.last != "-"
                else { throw fail("'\(registry)' is not a valid registry host name", nil) }
            }
        }
        if let port {
            guard let number = Int(port), (1...65535).contains(number), port.allSatisfy(\.isASCII) else {
                throw fail("the port in '\(registry)' must be a number from 1 to 65535", nil)
            }
        }
    }

    static func checkPathComponent(_ component: String, fail: (String, String?) -> ReferenceError) throws {
        guard !component.isEmpty else { throw fail("the repository path has an empty component", nil) }
        if component.contains(where: { $0.isUppercase }) {
            throw fail("repository names must be lowercase ('\(component)')", "write it as \(component.lowercased())")
        }
        // alnum (separator alnum)*, where a separator is '.', '_', '__' or one or more '-'.
        let bytes = Array(component.utf8)
        func isAlnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
        guard isAlnum(bytes.first!), isAlnum(bytes.last!) else {
            throw fail("repository component '\(component)' must start and end with a letter or digit", nil)
        }
        var index = 0
        while index < bytes.count {
            if isAlnum(bytes[index]) { index += 1; continue }
            let start = index
            while index < bytes.count, !isAlnum(bytes[index]) { index += 1 }
            let separator = String(decoding: bytes[start..<index], as: UTF8.self)
            let valid = separator == "." || separator == "_" || separator == "__" || separator.allSatisfy { $0 == "-" }
            guard valid else { throw fail("repository component '\(component)' has an invalid separator '\(separator)'", nil) }
        }
    }

    static func checkTag(_ tag: String, fail: (String, String?) -> ReferenceError) throws {
        guard !tag.isEmpty else { throw fail("the tag after ':' is empty", nil) }
        guard tag.count <= maximumTagLength else { throw fail("the tag is longer than \(maximumTagLength) characters", nil) }
        let bytes = Array(tag.utf8)
        func isWord(_ b: UInt8) -> Bool {
            (0x61...0x7A).contains(b) || (0x41...0x5A).contains(b) || (0x30...0x39).contains(b) || b == 0x5F
        }
        guard isWord(bytes[0]) else { throw fail("the tag '\(tag)' must start with a letter, digit or '_'", nil) }
        guard bytes.allSatisfy({ isWord($0) || $0 == 0x2E || $0 == 0x2D }) else {
            throw fail("the tag '\(tag)' may contain only letters, digits, '_', '.' and '-'", nil)
        }
    }
}
