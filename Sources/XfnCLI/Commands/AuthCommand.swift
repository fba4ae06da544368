import ArgumentParser
import Foundation
import XfnAuth
import XfnCore
import XfnOCI
import XfnRegistry

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Understand how xfn authenticates to registries.",
        subcommands: [Explain.self])

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
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
            var failure: (any XfnError)?
            do {
                let descriptor = try await context.registry.resolve(parsed)
                print("outcome: resolved to \(descriptor.digest) (\(descriptor.mediaType))")
            } catch let error as any XfnError {
                print("outcome: \(error.message)")
                failure = error
            }
            let requests = await context.registry.requestLog.entries
            if !requests.isEmpty { print("requests:") }
            for entry in requests { print("  \(entry)") }
            if let failure { throw ExitCode(failure.exitCode.rawValue) }
        }
    }
}
