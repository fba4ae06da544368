import XfnCore
import XfnFunctions

/// How a Function object is run, from its `render.crossplane.io/runtime` annotation or `--runtime`.
public enum FunctionRuntimeKind: String, Sendable, CaseIterable {
    /// The image is pulled, unpacked, and its entrypoint run under bubblewrap. xfn's default.
    case process
    /// Podman's or Docker's command line runs the image, as crossplane render does with Docker
    /// (`--runtime docker`; `XFN_CONTAINER_CLI` picks the program).
    case docker
    /// The function already runs somewhere; xfn only dials it.
    case development

    static let annotation = "render.crossplane.io/runtime"
    static let developmentTargetAnnotation = "render.crossplane.io/runtime-development-target"
    static let dockerImageAnnotation = "render.crossplane.io/runtime-docker-image"
    public static let defaultDevelopmentTarget = "localhost:9443"

    /// The runtime a Function asks for. Crossplane's `Docker` (and an empty value) mean a container
    /// runtime; xfn runs those as processes unless `--runtime docker` is given.
    static func requested(by function: Value) throws -> FunctionRuntimeKind {
        let value = function.annotations[annotation] ?? ""
        switch value.lowercased() {
        case "", "docker", "process": return .process
        case "development": return .development
        default:
            throw RenderError(.input, "function \"\(function.name)\": unknown \(annotation) annotation \"\(value)\"",
                              hint: "use Docker (the default) or Development")
        }
    }
}

/// How the functions of one render are started.
public struct RuntimeConfiguration: Sendable {
    /// `--runtime`: overrides every Function's annotation.
    public var override: FunctionRuntimeKind?
    /// Runtimes chosen for single Functions by name (a repository's configuration); they win over
    /// annotations, `override` wins over them.
    public var functionRuntimes: [String: FunctionRuntimeKind] = [:]
    /// Bounds the whole start of a function and each call to it.
    public var timeout: Duration
    /// Forward the functions' stderr, prefixed with their names.
    public var verbose: Bool
    /// Run the entrypoint without bubblewrap (for machines where it cannot create namespaces).
    public var noSandbox: Bool
    /// Turns a Function's package reference into an unpacked image; supplied by the command line,
    /// which owns the registry client and the cache.
    public var images: (any FunctionImageSource)?
    /// Where the docker runtime finds its command line (`XFN_CONTAINER_CLI`, `PATH`) and what it passes on to it.
    public var environment: Environment

    public init(override: FunctionRuntimeKind? = nil, timeout: Duration = .seconds(60), verbose: Bool = false,
                noSandbox: Bool = false, images: (any FunctionImageSource)? = nil, environment: Environment = .current) {
        self.override = override
        self.timeout = timeout
        self.verbose = verbose
        self.noSandbox = noSandbox
        self.images = images
        self.environment = environment
    }
}

/// An unpacked function image: a root filesystem and how its image config says to start it.
public struct FunctionImage: Sendable {
    public var rootfs: String
    public var entrypoint: [String]
    public var command: [String]
    public var environment: [String]
    public var workingDirectory: String?

    public init(rootfs: String, entrypoint: [String], command: [String], environment: [String], workingDirectory: String?) {
        self.rootfs = rootfs
        self.entrypoint = entrypoint
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}

public protocol FunctionImageSource: Sendable {
    func image(for package: String, function: String) async throws -> FunctionImage
}
