#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import GRPCCore
import GRPCNIOTransportHTTP2

// A composition function for tests and benchmarks: serves v1 RunFunction over plaintext HTTP/2 and
// stops gracefully on SIGTERM or SIGINT (in-flight calls finish, then the process exits 0).

func say(_ message: String) {
    var line = "xfn-test-function: \(message)\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

func serve(_ options: Options) async throws {
    let host = options.host == "localhost" ? "127.0.0.1" : options.host
    let transport = host.contains(":")
        ? HTTP2ServerTransport.Posix(address: .ipv6(host: host, port: options.port), transportSecurity: .plaintext)
        : HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: options.port), transportSecurity: .plaintext)
    let server = GRPCServer(transport: transport, services: [Runner()])

    // Signals arrive on dispatch sources, whose handlers may call into the server from any thread.
    var sources: [any DispatchSourceSignal] = []
    for number in [SIGTERM, SIGINT] {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { server.beginGracefulShutdown() }
        source.resume()
        sources.append(source)
    }
    defer { for source in sources { source.cancel() } }

    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        // A stop that comes before the address is known ends the wait with an error; not a failure.
        if let address = try? await transport.listeningAddress { say("listening on \(address)") }
    }
}

do {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    do {
        try await serve(options)
    } catch {
        say("cannot serve on \(options.host):\(options.port): \(error)")
        exit(1)
    }
} catch {
    say("\(error)")
    exit(2)
}
