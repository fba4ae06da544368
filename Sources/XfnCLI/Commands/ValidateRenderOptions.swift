import ArgumentParser
import XfnRender

/// How `xfn validate` renders the Compositions it is given before validating what they render.
struct ValidateRenderOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("A YAML file or directory of pkg.crossplane.io Function objects the Compositions call (repeatable; Function documents among the inputs count too).", valueName: "path"))
    var functions: [String] = []

    @Option(name: .long, help: ArgumentHelp("An XR to render the Compositions of its type with (repeatable; also validated). Without one, XRs among the inputs, else examples/ beside the Composition.", valueName: "file"))
    var xr: [String] = []

    @Flag(name: .long, help: "Do not render Compositions; validate them and their pipeline inputs only.")
    var noRender = false

    @Option(name: .customLong("runtime"), help: ArgumentHelp("Run every Function with this runtime: process, docker or development (default: each Function's render.crossplane.io/runtime annotation, else process).", valueName: "runtime"))
    var runtime: String?

    @Option(name: .customLong("function-timeout"), help: ArgumentHelp("How long starting the functions and each function call may take (e.g. 30s, 1m).", valueName: "duration"))
    var functionTimeout: String = "1m"

    @Flag(name: .long, help: "Run function processes without the bubblewrap sandbox.")
    var noSandbox = false

    mutating func validate() throws {
        try RenderOptionsGroup.checkFunctionFlags(timeout: functionTimeout, flag: "--function-timeout", runtime: runtime)
    }

    var runtimeOverride: FunctionRuntimeKind? { runtime.flatMap { FunctionRuntimeKind(rawValue: $0.lowercased()) } }
}
