import ArgumentParser
import Foundation
import XfnAuth
import XfnCore

/// `xfn logout REGISTRY`: remove what `xfn login` or `docker login` stored.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Remove the stored credential for a registry, as docker logout does.")

    @Option(name: .long, help: ArgumentHelp("Remove from this Docker/containers auth file instead.", valueName: "file"))
    var authfile: String?

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Argument(help: "The registry host.")
    var registry: String

    func run() async throws {
        let host = LoginCommand.normalized(registry)
        let store = LoginStore(environment: .current, authFile: authfile)
        let removed = try await store.remove(registry: host)
        guard !quiet else { return }
        if removed.isEmpty {
            print("Not logged in to \(host) in \(store.path)")
        } else {
            print("Removed the credential for \(host) from " + removed.joined(separator: ", "))
        }
    }
}
