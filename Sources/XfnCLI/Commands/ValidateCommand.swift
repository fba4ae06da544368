import ArgumentParser
import Foundation
import XfnCore
import XfnPackage
import XfnSchema
import XfnValidate

struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate resources against their CRDs, XRDs and packages, offline and in parallel.",
        discussion: """
            Every YAML document given is sorted: CustomResourceDefinitions, CompositeResourceDefinitions \
            (converted to the XR and claim CRDs Crossplane generates), pkg.crossplane.io Providers, Functions \
            and Configurations (their packages' schemas, Configuration dependencies followed) and local \
            crossplane.yaml files are schema sources; everything else is validated: defaults, OpenAPI \
            schema, unknown fields, CEL rules. A Composition's pipeline inputs are validated against their \
            function's input CRD when it is among the sources.

            Each Composition is also rendered through its functions for the XRs of its composite type \
            (among the inputs, given with --xr, or under examples/ beside it), with the Functions among the \
            inputs or named by --functions, each started once for the run; every rendered resource is \
            validated and reported at the Composition's line that writes it, e.g.
              composition.yaml:23:13: [x] schema validation error rds.example.org/v1, Kind=Instance, \
            instance : spec.forProvider.region: Required value (rendered by Composition databases from \
            examples/xr.yaml)
            --no-render turns this off; a Composition calling an unknown Function is not rendered. Schema sources are themselves validated only when a \
            schema for their kind is known (e.g. the Crossplane CRDs given with --extensions).

            Directories are read recursively (.yaml, .yml, .json; .git is skipped); - reads standard input. \
            Documents without apiVersion and kind (values files, patches) are passed over.

            Text output keeps crossplane's lines and puts where each one points first:
              xr.yaml:9:3: [x] schema validation error a.io/v1, Kind=XR, one : spec.size: Required value
              xr.yaml:12:1: [✓] a.io/v1, Kind=XR, two validated successfully
              xr.yaml:20:1: [!] could not find CRD/XRD for: a.io/v1, Kind=Unknown
              Total 3 resources: 1 missing schemas, 1 success cases, 1 failure cases
            The position is the field an error names (or the object lacking a required field); for [✓] and \
            [!] lines, the start of the resource. -o json is crossplane's JSON with file, line and column \
            added; -o github writes GitHub Actions ::error/::warning annotations.

            Compiled schemas are cached under CACHE/schemas, keyed by the SHA-256 of each source file (or \
            a package's digest), so a warm run reads no CRD YAML again.

            In a repository with an .xfn.yaml (found in the working directory or a parent; --config names \
            one, --no-config ignores it), its schema sources and every CRD, XRD and package document of the \
            repository are always loaded. With no arguments the whole repository is validated; with files \
            (as pre-commit passes them), those files and what they affect: the resources of a changed CRD or \
            XRD's kinds, the example XRs of a changed Composition. -v lists the files selected and why. \
            -o junit writes JUnit XML (one testsuite per file) and the summary line on stderr. See \
            docs/configuration.md.

            Exit status: 1 when a resource fails (or, with --error-on-missing-schemas, has no schema); 2 for \
            a usage error or a bad .xfn.yaml; 3 for a registry or network failure; 4 when a render failed in \
            a function (it could not start, failed, or returned a fatal result); else 0.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var credentials: CredentialOptions
    @OptionGroup var flags: ValidateFlags
    @OptionGroup(title: "Rendering") var rendering: ValidateRenderOptions

    @Option(name: .customLong("extensions"),
            help: ArgumentHelp("Schema sources only: files or directories whose CRDs, XRDs and packages are used but not validated (repeatable).", valueName: "path"))
    var extensions: [String] = []

    @Option(name: .shortAndLong, help: "Output format: text, json, github or junit (default: the configuration's output, else text).")
    var output: ValidationOutputFormat?

    @Argument(help: ArgumentHelp("Files, directories, or - for standard input.", valueName: "file|dir|-"))
    var inputs: [String] = []

    @Option(name: .long, help: ArgumentHelp("Use this repository configuration instead of the nearest .xfn.yaml.", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Ignore any .xfn.yaml.")
    var noConfig = false

    mutating func validate() throws {
        if inputs.contains("-") && extensions.contains("-") {
            throw ValidationError("cannot use standard input for both --extensions and resources")
        }
        if config != nil && noConfig { throw ValidationError("cannot use --config and --no-config together") }
    }

    func run() async throws {
        let fileExtensions: Set<String> = ["yaml", "yml", "json"]
        let workingDirectory = FileManager.default.currentDirectoryPath
        var project: ProjectConfig?
        if let config {
            project = try ProjectConfig.load(config)
        } else if !noConfig {
            project = try ProjectConfig.discover(from: workingDirectory)
        }
        let cache = try ValidateRunner.openCache(global: global, flags: flags)
        var sources = try InputLocation.expand(extensions + rendering.functions, extensions: fileExtensions)
        var global = global
        var packages: [String] = []
        var resources: [InputLocation]
        var render = ValidateRunner.Rendering(options: rendering)
        var format = output ?? .text
        if let project {
            if output == nil, let name = project.output, let configured = ValidationOutputFormat(rawValue: name) { format = configured }
            if project.offline { global.offline = true }
            let plan = try await ProjectPlan.make(config: project, arguments: inputs, workingDirectory: workingDirectory,
                                                  cacheDirectory: flags.updateCache ? nil : global.cacheDirectory)
            if global.verbose { Self.describe(plan) }
            sources += plan.schemaSources
            packages = plan.packages
            resources = plan.inputs
            render.projectRuntimes = project.runtimes
            // The repository says which XRs exercise which Composition; nothing is looked for beside them.
            render.examples = plan.renderExamples
            render.examplesBesideCompositions = false
        } else {
            guard !inputs.isEmpty else {
                throw ValidateError("name at least one file, directory or - to validate", hint: "or run xfn validate in a repository with an \(ProjectConfig.fileName)",
                                    exitCode: .usage)
            }
            resources = try InputLocation.expand(inputs, extensions: fileExtensions)
        }
        resources += try InputLocation.expand(rendering.xr, extensions: fileExtensions).filter { !resources.contains($0) }
        let renderer = ValidationRenderer(format: format, skipSuccessResults: flags.skipSuccessResults, positions: true,
                                          errorOnMissingSchemas: flags.errorOnMissingSchemas)
        try await ValidateRunner.run(global: global, credentials: credentials, flags: flags, cache: cache, sources: sources, resources: resources, mode: .sorted,
                                     renderer: renderer, announceDownloads: false, packages: packages,
                                     rendering: rendering.noRender ? nil : render)
    }

    /// What --verbose shows of a project run: the configuration, each file chosen and why, and the
    /// compositions a render step would run.
    static func describe(_ plan: ProjectPlan) {
        let config = plan.index.config
        var out = "xfn: configuration \(config.file); \(plan.index.files.count) project files, \(plan.selection.files.count) selected\n"
        for file in plan.selection.files {
            out += "xfn: selected \(file) (\(plan.selection.reasons[file] ?? "changed"))\n"
        }
        for location in plan.outsideProject { out += "xfn: selected \(location) (outside the project)\n" }
        for file in plan.passedOver { out += "xfn: passed over \(file) (ignored by the configuration, or a tooling file)\n" }
        for job in plan.renderPlan.jobs {
            out += "xfn: affected Composition \(job.composition) (\(job.compositionFile)) renders example \(job.example)\n"
        }
        Terminal.standardError.write(out)
    }
}

/// The flags `xfn validate` shares with crossplane's `beta validate`.
struct ValidateFlags: ParsableArguments {
    @Flag(name: .long, help: "Do not print [✓] lines (the summary is still printed).")
    var skipSuccessResults = false

    @Flag(name: .long, help: "Exit 1 when a resource has no schema.")
    var errorOnMissingSchemas = false

    @Flag(name: .long, help: "Remove the cached compiled schemas first.")
    var cleanCache = false

    @Flag(name: .long, help: "Ignore cached compiled schemas and store them afresh.")
    var updateCache = false

    @Option(name: .long, help: ArgumentHelp(
        "An image whose CRDs (Composition, XRD, …) are schema sources; '' turns Crossplane's own schemas off.",
        discussion: """
            Without this flag, Crossplane's own kinds are validated against \(CrossplaneSchemas.defaultImage(version: nil)) \
            (or $XFN_CROSSPLANE_IMAGE), pulled only when a resource of such a kind has no schema from the inputs. \
            An image named here is always read, as crossplane does.
            """,
        valueName: "image"))
    var crossplaneImage: String?

    @Option(name: .long, help: ArgumentHelp("The Crossplane version whose own schemas are used: the tag of the default image instead of '\(CrossplaneSchemas.defaultTag)'.",
                                            valueName: "version"))
    var crossplaneVersion: String?

    @Option(name: .long, help: ArgumentHelp("The CEL cost budget for each resource's x-kubernetes-validations rules (crossplane's is 1000000).", valueName: "cost"))
    var celBudget: UInt64 = CELRuleEvaluator.defaultObjectBudget

    @Flag(name: .long, help: "Do not evaluate x-kubernetes-validations (CEL) rules.")
    var skipCel = false
}

extension ValidateFlags {
    static let crossplaneImageVariable = "XFN_CROSSPLANE_IMAGE"

    /// The image always read (named by --crossplane-image) and the one read only for Crossplane's own
    /// kinds lacking a schema (the default: $XFN_CROSSPLANE_IMAGE, else the `stable` or --crossplane-version
    /// tag). An empty name turns either off.
    func crossplaneImages(environment: Environment) throws -> (always: String?, whenNeeded: String?) {
        if let crossplaneImage {
            if crossplaneVersion != nil {
                throw ValidateError("--crossplane-version and --crossplane-image both say which Crossplane image to use",
                                    hint: "name the image with its tag in --crossplane-image, or give only --crossplane-version")
            }
            return (crossplaneImage.isEmpty ? nil : crossplaneImage, nil)
        }
        if crossplaneVersion == nil, let image = environment.variables[Self.crossplaneImageVariable] {
            return (nil, image.isEmpty ? nil : image)
        }
        return (nil, CrossplaneSchemas.defaultImage(version: crossplaneVersion))
    }
}

/// What `xfn validate` and its crossplane-shaped aliases share: the run, its output, its exit status.
enum ValidateRunner {
    /// How `xfn validate` renders the Compositions it is given.
    struct Rendering {
        var options: ValidateRenderOptions
        var projectRuntimes: [String: ProjectConfig.Runtime] = [:]
        var examples: [String: [String]] = [:]
        var examplesBesideCompositions = true
    }

    /// The run's schema cache, emptied first with `--clean-cache`; what a warm run reads first is
    /// read while the caller lists the inputs.
    static func openCache(global: GlobalOptions, flags: ValidateFlags) throws -> SchemaCache {
        let cache = SchemaCache(cacheDirectory: global.cacheDirectory, ignoresStoredEntries: flags.updateCache)
        if flags.cleanCache { try cache.clean() }
        cache.prefetch()
        return cache
    }

    static func run(global: GlobalOptions, credentials: CredentialOptions, flags: ValidateFlags, cache: SchemaCache,
                    sources: [InputLocation], resources: [InputLocation],
                    mode: ValidationRun.Mode, renderer: ValidationRenderer, announceDownloads: Bool, packages: [String] = [],
                    rendering: Rendering? = nil) async throws {
        let context = try CommandContext(global: global, credentials: credentials)
        await context.startVerboseLog()
        let provider = ValidatePackageProvider(
            registry: context.registry, store: context.store,
            options: Puller.Options(platform: global.selectedPlatform, offline: global.offline),
            announce: { reference in
                if announceDownloads { Terminal.standardOutput.write("schemas does not exist, downloading:  \(reference)\n") }
            })
        let rules = CELRuleEvaluator(objectBudget: flags.celBudget)
        var options = ValidationRun.Options(mode: mode, cache: cache, packageProvider: provider,
                                            ruleEvaluator: flags.skipCel ? nil : rules, allowDuplicateKeys: mode == .crossplane)
        (options.crossplaneImage, options.defaultCrossplaneImage) = try flags.crossplaneImages(environment: .current)
        options.packages = packages
        if let rendering {
            let compositionRenderer = ValidationCompositionRenderer(context: context, options: rendering.options,
                                                                    projectRuntimes: rendering.projectRuntimes)
            options.rendering = RenderSettings(renderer: compositionRenderer, examples: rendering.examples,
                                               examplesBesideCompositions: rendering.examplesBesideCompositions)
        }
        let report = try await ValidationRun.run(schemaSources: sources, inputs: resources, options: options)
        if !global.quiet {
            for notice in report.notices { Terminal.standardError.write("xfn: warning: \(notice)\n") }
        }
        if global.verbose {
            for rule in rules.skippedTransitionRules {
                Terminal.standardError.write("xfn: skipped transition rule (needs the previous object): \(rule)\n")
            }
            let statistics = report.statistics
            Terminal.standardError.write("xfn: read \(statistics.parsedFiles + statistics.cachedFiles) files (\(statistics.cachedFiles) from the schema cache), "
                + "\(statistics.cachedPackages) packages from the schema cache; compiled \(statistics.compiledSchemas) schemas\n")
        }
        Terminal.standardOutput.write(renderer.render(report))
        // JUnit XML fills standard output, so the run's summary line goes beside it.
        if renderer.format == .junit && !global.quiet {
            Terminal.standardError.write(ValidationRenderer.summaryLine(report.summary) + "\n")
        }
        let summary = report.summary
        if report.functionFailures > 0 {
            throw ValidateError("cannot validate resources: \(report.functionFailures) render(s) failed in a function", exitCode: .function)
        }
        if summary.invalid > 0 {
            throw ValidateError("cannot validate resources: could not validate all resources", exitCode: .findings)
        }
        if flags.errorOnMissingSchemas && summary.missingSchemas > 0 {
            throw ValidateError("cannot validate resources: could not validate all resources, schema(s) missing", exitCode: .findings)
        }
    }
}
