import ArgumentParser
import XfnValidate

/// `xfn beta validate` and `xfn resource validate`: crossplane's positional form and output, so
/// scripts written for `crossplane beta validate` run unchanged.
struct CrossplaneValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate resources against schemas, as `crossplane beta validate EXTENSIONS RESOURCES` does.",
        discussion: """
            EXTENSIONS and RESOURCES are comma-separated lists of files, directories (read recursively for \
            .yaml and .yml) or - for standard input (not both). CRDs, XRDs and package objects among the \
            extensions are schema sources; every document among the resources is validated, and the \
            pipeline inputs of each Composition too. Lines are crossplane's, byte for byte; --positions \
            puts file:line:col in front of each, as `xfn validate` does.

            Unlike crossplane, xfn pulls the default Crossplane image only when a resource is one of \
            Crossplane's own kinds without a schema among the extensions; an image named with \
            --crossplane-image is always read.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var flags: ValidateFlags

    @Option(name: .shortAndLong, help: "Output format: text, json or github.")
    var output: ValidationOutputFormat = .text

    @Flag(name: .long, help: "Put file:line:col in front of each text line.")
    var positions = false

    @Argument(help: ArgumentHelp("Extension sources: comma-separated files, directories, or -.", valueName: "extensions"))
    var extensions: String

    @Argument(help: ArgumentHelp("Resource sources: comma-separated files, directories, or -.", valueName: "resources"))
    var resources: String

    mutating func validate() throws {
        if extensions == "-" && resources == "-" {
            throw ValidationError("cannot use stdin for both extensions and resources")
        }
    }

    func run() async throws {
        let fileExtensions: Set<String> = ["yaml", "yml"]
        let split: (String) -> [String] = { $0.split(separator: ",").map(String.init) }
        let cache = try ValidateRunner.openCache(global: global, flags: flags)
        let sources = try InputLocation.expand(split(extensions), extensions: fileExtensions)
        let inputs = try InputLocation.expand(split(resources), extensions: fileExtensions)
        let renderer = ValidationRenderer(format: output, skipSuccessResults: flags.skipSuccessResults, positions: positions,
                                          errorOnMissingSchemas: flags.errorOnMissingSchemas)
        try await ValidateRunner.run(global: global, credentials: credentials, flags: flags, cache: cache, sources: sources, resources: inputs, mode: .crossplane,
                                     renderer: renderer, announceDownloads: output == .text)
    }
}

struct BetaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beta", abstract: "crossplane's beta commands, for scripts that call them.",
        subcommands: [CrossplaneValidateCommand.self])
}

struct ResourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resource", abstract: "crossplane's resource commands, for scripts that call them.",
        subcommands: [CrossplaneValidateCommand.self])
}
