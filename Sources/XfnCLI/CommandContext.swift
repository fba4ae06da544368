import Foundation
import XfnAuth
import XfnCore
import XfnHTTP
import XfnOCI
import XfnRegistry
import XfnStore

/// The clients a command works with, built once from its options.
struct CommandContext {
    let global: GlobalOptions
    let store: ContentStore
    let registry: RegistryClient

    init(global: GlobalOptions, credentials: CredentialOptions? = nil) throws {
        self.global = global
        let environment = Environment.current
        var settings = TransportSettings(environment: environment)
        settings.plainHTTPHosts = Set(global.plainHTTP)
        settings.insecureHosts = Set(global.insecureSkipTLSVerify)
        settings.resolve = global.resolve
        store = try ContentStore(root: global.cacheDirectory)
        let explicit = try credentials?.explicitSource()
        if let keyFile = credentials?.gcpKeyFile {
            // A damaged key named on the command line is reported before anything is sent.
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw GoogleKeyError(origin: "--gcp-key-file \(keyFile)", problem: "the file cannot be read")
            }
            let text = String(decoding: data, as: UTF8.self)
            if (try? ValueJSON.parse(text))?["type"]?.stringValue != "authorized_user" {
                _ = try GoogleServiceAccountKey(json: text, origin: "--gcp-key-file \(keyFile)")
            }
        }
        let http = HTTPClient(settings: settings)
        let options = ResolverOptions(http: http, cacheDirectory: global.cacheDirectory, gcpKeyFile: credentials?.gcpKeyFile,
                                      containerdConfig: credentials?.containerdConfig, plainHTTPHosts: Set(global.plainHTTP))
        let resolver = CredentialResolver.standard(environment: environment, explicit: explicit, authFile: credentials?.authfile, options: options)
        registry = RegistryClient(http: http, credentials: resolver)
    }

    /// Prints requests and retries on stderr with --verbose.
    func startVerboseLog() async {
        guard global.verbose else { return }
        await registry.requestLog.observe { line in Terminal.standardError.write("xfn: \(line)\n") }
    }
}

extension CredentialOptions {
    func explicitSource() throws -> ExplicitCredentialSource? {
        if let registryToken {
            return ExplicitCredentialSource(credential: Credential(secret: .registryToken(registryToken), source: "--registry-token"))
        }
        guard let username, passwordStdin else { return nil }
        var password = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
        return ExplicitCredentialSource(credential: Credential(secret: .basic(username: username, password: password), source: "--username/--password-stdin"))
    }
}
