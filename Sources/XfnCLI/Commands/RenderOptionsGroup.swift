import ArgumentParser
import XfnRender

/// crossplane render's flags, under the same names.
struct RenderOptionsGroup: ParsableArguments {
    @Argument(help: ArgumentHelp("A YAML file with the composite resource (XR).", valueName: "composite-resource"))
    var compositeResource: String

    @Argument(help: ArgumentHelp("A YAML file with the Composition.", valueName: "composition"))
    var composition: String

    @Argument(help: ArgumentHelp("A YAML file or directory of pkg.crossplane.io Function objects.", valueName: "functions"))
    var functions: String

    @Option(name: .long, help: ArgumentHelp("Context key=file pairs, the file holding a JSON or YAML value (repeatable; ';' separates pairs).", valueName: "key=file"))
    var contextFiles: [String] = []

    @Option(name: .long, help: ArgumentHelp("Context key=value pairs with inline JSON or YAML values; these win over --context-files (repeatable; ';' separates pairs).", valueName: "key=value"))
    var contextValues: [String] = []

    @Flag(name: [.customShort("r"), .long], help: "Print the functions' non-fatal results as kind: Result documents.")
    var includeFunctionResults = false

    @Flag(name: [.customShort("x"), .long], help: "Copy the input XR's metadata and spec into the output XR.")
    var includeFullXr = false

    @Flag(name: [.customShort("c"), .long], help: "Print the final context as a kind: Context document.")
    var includeContext = false

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("A YAML file or directory of observed composed resources.", valueName: "path"))
    var observedResources: String?

    @Option(name: [.customShort("e"), .long], help: ArgumentHelp("A YAML file or directory of resources functions may require (repeatable).", valueName: "path"))
    var requiredResources: [String] = []

    @Option(name: .long, help: ArgumentHelp("Deprecated name of --required-resources.", valueName: "path"))
    var extraResources: [String] = []

    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("A directory of OpenAPI v3 JSON documents answering schema requirements.", valueName: "dir"))
    var requiredSchemas: String?

    @Option(name: .long, help: ArgumentHelp("A YAML file or directory of v1 Secrets for step credentials.", valueName: "path"))
    var functionCredentials: String?

    @Option(name: [.customShort("a"), .long], help: ArgumentHelp("Set this annotation on every Function, e.g. render.crossplane.io/runtime=Development (repeatable).", valueName: "key=value"))
    var functionAnnotations: [String] = []

    @Option(name: .long, help: ArgumentHelp("How long starting the functions and each function call may take (e.g. 30s, 1m, 1m30s).", valueName: "duration"))
    var timeout: String = "1m"

    @Option(name: .long, help: ArgumentHelp("An XRD file whose defaults are applied to the XR before rendering.", valueName: "file"))
    var xrd: String?

    @Option(name: .long, help: ArgumentHelp("Run every Function with this runtime: process, docker (through the docker or podman command line; XFN_CONTAINER_CLI chooses) or development.", valueName: "runtime"))
    var runtime: String?

    @Flag(name: .long, help: "Run function processes without the bubblewrap sandbox.")
    var noSandbox = false

    mutating func validate() throws {
        try Self.checkFunctionFlags(timeout: timeout, flag: "--timeout", runtime: runtime)
        for pair in Self.pairs(contextFiles) + Self.pairs(contextValues) + functionAnnotations where !pair.contains("=") {
            throw ValidationError("expected key=value, got '\(pair)'")
        }
    }

    /// The duration and runtime flags `xfn render` and `xfn validate` share, checked alike.
    static func checkFunctionFlags(timeout: String, flag: String, runtime: String?) throws {
        do { _ = try parseDuration(timeout) } catch {
            throw ValidationError("\(flag) takes a duration such as 30s, 1m or 1m30s, got '\(timeout)'")
        }
        if let runtime, FunctionRuntimeKind(rawValue: runtime.lowercased()) == nil {
            throw ValidationError("--runtime takes process, docker or development, got '\(runtime)'")
        }
    }

    static func pairs(_ options: [String]) -> [String] {
        options.flatMap { $0.split(separator: ";", omittingEmptySubsequences: true).map(String.init) }
    }

    static func map(_ options: [String]) -> [String: String] {
        var result: [String: String] = [:]
        for pair in pairs(options) {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return result
    }

    /// Go's duration syntax for the units people use here: h, m, s, ms.
    static func parseDuration(_ text: String) throws -> Duration {
        struct Bad: Error {}
        var total = Duration.zero
        var number = ""
        var index = text.startIndex
        guard !text.isEmpty else { throw Bad() }
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber || character == "." {
                number.append(character)
                index = text.index(after: index)
                continue
            }
            var unit = String(character)
            index = text.index(after: index)
            if unit == "m", index < text.endIndex, text[index] == "s" {
                unit = "ms"
                index = text.index(after: index)
            }
            guard let value = Double(number) else { throw Bad() }
            number = ""
            switch unit {
            case "h": total += .milliseconds(Int64(value * 3_600_000))
            case "m": total += .milliseconds(Int64(value * 60_000))
            case "s": total += .milliseconds(Int64(value * 1000))
            case "ms": total += .milliseconds(Int64(value))
            default: throw Bad()
            }
        }
        guard number.isEmpty else { throw Bad() }
        return total
    }
}
