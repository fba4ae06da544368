import ArgumentParser
import Foundation
import XfnAuth
import XfnCore
import XfnHTTP
import XfnOCI
import XfnRegistry

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Understand how xfn authenticates to registries.",
        subcommands: [Explain.self])

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "explain",
            abstract: "Show which credential source answers for an image, and what the registry says to it.",
            discussion: """
                Every source is listed in the order xfn consults it, with what it found; then xfn resolves
                the reference with that credential and reports the outcome. Secrets are never printed.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var credentials: CredentialOptions
        @Argument(help: "A fully-qualified reference.") var reference: String

        func run() async throws {
            let parsed = try Reference(parsing: reference)
            let context = try CommandContext(global: global, credentials: credentials)
            await context.startVerboseLog()
            print("reference: \(parsed)")
            print("registry:  \(parsed.registry) (API at \(context.registry.baseURL(for: parsed)))")
            print("credential sources, in order:")
            for step in await context.registry.credentialTrace(for: parsed).steps {
                print("  \(step)")
            }
            guard !global.offline else {
                print("outcome: not contacting the registry (--offline)")
                return
            }
            await printChallenge(context: context, reference: parsed)
            var failure: (any XfnError)?
            do {
                let descriptor = try await context.registry.resolve(parsed)
                print("outcome: resolved to \(descriptor.digest) (\(descriptor.mediaType))")
            } catch let error as any XfnError {
                print("outcome: \(error.message)")
                failure = error
            }
            let exchanges = await context.registry.tokens.exchanges
            if !exchanges.isEmpty { print("token requests:") }
            for line in exchanges { print("  \(line)") }
            let requests = await context.registry.requestLog.entries
            if !requests.isEmpty { print("requests:") }
            for entry in requests { print("  \(entry)") }
            if let failure {
                if let hint = failure.hint?.split(separator: "\n").last { print("hint: \(hint)") }
                throw ExitCode(failure.exitCode.rawValue)
            }
        }

        /// What the registry asks for before any credential is sent.
        private func printChallenge(context: CommandContext, reference: Reference) async {
            let url = context.registry.baseURL(for: reference) + "/v2/"
            do {
                let response = try await context.registry.http.send(HTTPRequest(url: url, timeout: .seconds(30)), bodyLimit: 64 << 10)
                let challenges = response.headers.values(for: "WWW-Authenticate")
                if challenges.isEmpty {
                    print("challenge: GET \(url) → HTTP \(response.status), no WWW-Authenticate")
                } else {
                    for challenge in challenges { print("challenge: GET \(url) → HTTP \(response.status), WWW-Authenticate: \(challenge)") }
                }
            } catch let error as any XfnError {
                print("challenge: GET \(url) failed: \(error.message)")
            } catch {
                print("challenge: GET \(url) failed: \(error)")
            }
        }
    }
}
