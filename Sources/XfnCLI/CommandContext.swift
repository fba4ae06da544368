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

    init(global: GlobalOptions, credentials: CredentialOptions = CredentialOptions()) throws {
        self.global = global
        let environment = Environment.current
        var settings = TransportSettings(environment: environment)
        settings.plainHTTPHosts = Set(global.plainHTTP)
        settings.insecureHosts = Set(global.insecureSkipTLSVerify)
        settings.resolve = global.resolve
        store = try ContentStore(root: global.cacheDirectory)
        let explicit = try credentials.explicitSource()
        let resolver = CredentialResolver.standard(environment: environment, explicit: explicit, authFile: credentials.authfile)
        registry = RegistryClient(http: HTTPClient(settings: settings), credentials: resolver)
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
