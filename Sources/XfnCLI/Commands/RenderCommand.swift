import ArgumentParser
import Foundation
import XfnCore
import XfnRender

/// `xfn render`: crossplane render's arguments and output, with functions run from their images.
struct RenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a composite resource through its Composition's function pipeline.",
        discussion: """
            Prints the XR and its composed resources as a YAML stream, as crossplane render does.

            Each Function runs from its package image in a bubblewrap sandbox (the process runtime, the default). Functions annotated render.crossplane.io/runtime: Development are dialled at their render.crossplane.io/runtime-development-target (default localhost:9443), where they must serve gRPC without TLS (--insecure).

            Exit status: 0 rendered, 1 bad input, 4 a function failed or returned a fatal result.

            Examples:
              xfn render xr.yaml composition.yaml functions.yaml
              xfn render -r -c xr.yaml composition.yaml functions/
              xfn render --context-values 'apiextensions.crossplane.io/environment={"region":"eu"}' xr.yaml comp.yaml fns.yaml
              xfn render --runtime development xr.yaml composition.yaml functions.yaml
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var render: RenderOptionsGroup

    func run() async throws {
        try await RenderRun(global: global, credentials: credentials, options: render).run()
    }
}

/// `xfn composition render`: the name crossplane's newer CLI uses.
struct CompositionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "composition",
        abstract: "Work with compositions.",
        subcommands: [CompositionRenderCommand.self])
}

struct CompositionRenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a composite resource through its Composition's function pipeline (same as `xfn render`).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var render: RenderOptionsGroup

    func run() async throws {
        try await RenderRun(global: global, credentials: credentials, options: render).run()
    }
}
