import Foundation

/// The process environment as a value, so code that reads `HOME`, `XDG_*` or `DOCKER_CONFIG` can be
/// tested with any environment instead of the test runner's own.
public struct Environment: Sendable {
    public var variables: [String: String]

    public init(_ variables: [String: String]) { self.variables = variables }

    public static var current: Environment { Environment(ProcessInfo.processInfo.environment) }

    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    public var home: String { self["HOME"] ?? NSHomeDirectory() }

    /// `$XFN_CACHE_DIR`, else `${XDG_CACHE_HOME:-~/.cache}/xfn`.
    public var defaultCacheDirectory: String {
        if let explicit = self["XFN_CACHE_DIR"] { return explicit }
        let base = self["XDG_CACHE_HOME"] ?? home + "/.cache"
        return base + "/xfn"
    }

    public var configHome: String { self["XDG_CONFIG_HOME"] ?? home + "/.config" }
}
