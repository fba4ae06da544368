import ArgumentParser
import XfnCore
import XfnOCI

/// Options every command takes (design.md §3).
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The cache directory.", discussion: "Default: $XFN_CACHE_DIR, else ${XDG_CACHE_HOME:-~/.cache}/xfn.", valueName: "dir"))
    var cacheDir: String?

    @Flag(name: .shortAndLong, help: "Print each request, retry and credential decision on stderr.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Print nothing but results and errors.")
    var quiet = false

    @Flag(name: .long, help: "Never touch the network; tags resolve from the cache.")
    var offline = false

    @Option(name: .long, help: ArgumentHelp("Speak plain HTTP to this registry (repeatable).", valueName: "host[:port]"))
    var plainHTTP: [String] = []

    @Option(name: .long, help: ArgumentHelp("Do not verify this registry's TLS certificate (repeatable).", valueName: "host[:port]"))
    var insecureSkipTLSVerify: [String] = []

    @Option(name: .long, help: ArgumentHelp("Platform of images to pull from an index (default: this machine).", valueName: "os/arch"))
    var platform: String?

    @Option(name: .long, help: ArgumentHelp("Connect to HOST:PORT at ADDRESS instead of resolving it, as curl's --resolve (repeatable).", valueName: "host:port:address"))
    var resolve: [String] = []

    mutating func validate() throws {
        if let platform { _ = try Platform(parsing: platform) }
        for entry in resolve where entry.split(separator: ":").count < 3 {
            throw ValidationError("--resolve takes HOST:PORT:ADDRESS, got '\(entry)'")
        }
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be used together") }
    }

    var cacheDirectory: String { cacheDir ?? Environment.current.defaultCacheDirectory }

    var selectedPlatform: Platform { (platform.flatMap { try? Platform(parsing: $0) }) ?? .current }
}

/// Credentials given on the command line, for commands that talk to registries.
struct CredentialOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Read credentials only from this Docker/containers auth file.", valueName: "file"))
    var authfile: String?

    @Option(name: .long, help: "User name for the registry (with --password-stdin).")
    var username: String?

    @Flag(name: .long, help: "Read the password (or token) from standard input.")
    var passwordStdin = false

    @Option(name: .long, help: ArgumentHelp("A bearer token to send as it is.", valueName: "token"))
    var registryToken: String?

    @Option(name: .long, help: ArgumentHelp("A Google service-account key (or authorized_user) file to get an access token with.", valueName: "file"))
    var gcpKeyFile: String?

    @Option(name: .long, help: ArgumentHelp("Also read registry.configs.\"HOST\".auth from this containerd config.", valueName: "file"))
    var containerdConfig: String?

    mutating func validate() throws {
        if passwordStdin && username == nil { throw ValidationError("--password-stdin needs --username") }
        if username != nil && !passwordStdin { throw ValidationError("--username needs --password-stdin; passwords are never taken as arguments") }
    }
}
