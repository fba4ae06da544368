import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import XfnCore

/// One function's gRPC connection: HTTP/2 without TLS, as functions serve with `--insecure`.
///
/// Calls go to `apiextensions.fn.proto.v1`; a function that answers `Unimplemented` is asked again on
/// `v1beta1` with the same bytes (the two packages share one wire format). Create clients with
/// `FunctionClient.withClients`, which runs their connections for the duration of a scope.
public final class FunctionClient: Sendable {
    public let name: String
    public let target: FunctionTarget
    public let timeout: Duration
    private let grpc: GRPCClient<HTTP2ClientTransport.Posix>

    init(name: String, target: FunctionTarget, timeout: Duration) throws {
        self.name = name
        self.target = target
        self.timeout = timeout
        let resolvable: any ResolvableTarget
        switch target {
        case .host(let host, let port):
            if host.split(separator: ".").count == 4, host.allSatisfy({ $0.isNumber || $0 == "." }) {
                resolvable = .ipv4(address: host, port: port)
            } else if host.contains(":") {
                resolvable = .ipv6(address: host, port: port)
            } else {
                resolvable = .dns(host: host, port: port)
            }
        case .unixSocket(let path):
            resolvable = .unixDomainSocket(path: path)
        }
        do {
            grpc = GRPCClient(transport: try .http2NIOPosix(target: resolvable, transportSecurity: .plaintext))
        } catch {
            throw FunctionError(.badTarget, function: name, reason: "cannot use target \(target): \(error)")
        }
    }

    /// Sends one request and returns the reply, or throws a `FunctionError` naming this function.
    public func run(_ request: RunFunctionRequest) async throws -> RunFunctionResponse {
        var options = CallOptions.defaults
        options.timeout = timeout
        // Like crossplane: the first call waits for the function to start listening, bounded by the timeout.
        options.waitForReady = true
        do {
            return try await FunctionRunnerV1.Client(wrapping: grpc).runFunction(request, options: options)
        } catch let error as RPCError where error.code == .unimplemented {
            return try await runBeta(request, options: options)
        } catch {
            throw translate(error)
        }
    }

    private func runBeta(_ request: RunFunctionRequest, options: CallOptions) async throws -> RunFunctionResponse {
        do {
            let beta = try Apiextensions_Fn_Proto_V1beta1_RunFunctionRequest(serializedBytes: request.serializedBytes() as [UInt8])
            let reply = try await FunctionRunnerV1Beta1.Client(wrapping: grpc).runFunction(beta, options: options)
            return try RunFunctionResponse(serializedBytes: reply.serializedBytes() as [UInt8])
        } catch let error as RPCError where error.code == .unimplemented {
            throw FunctionError(.callFailed, function: name,
                                reason: "\(target) serves neither apiextensions.fn.proto.v1 nor v1beta1 FunctionRunnerService",
                                hint: "is \(target) a composition function?")
        } catch {
            throw translate(error)
        }
    }

    private func translate(_ error: any Error) -> any Error {
        if error is FunctionError || error is CancellationError { return error }
        guard let rpc = error as? RPCError else {
            return FunctionError(.badResponse, function: name, reason: "cannot call RunFunction on \(target): \(error)")
        }
        switch rpc.code {
        case .deadlineExceeded:
            return FunctionError(.unreachable, function: name,
                                 reason: "no answer from \(target) within \(Self.seconds(timeout))",
                                 hint: "is the function running and serving without TLS (--insecure)? A slow function needs a longer --timeout.")
        case .unavailable:
            return FunctionError(.unreachable, function: name, reason: "cannot reach \(target): \(rpc.message)",
                                 hint: "is the function running and serving without TLS (--insecure)?")
        default:
            return FunctionError(.callFailed, function: name, reason: "RunFunction failed: \(rpc.code): \(rpc.message)")
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let value = Double(seconds) + Double(attoseconds) / 1e18
        return value == value.rounded() ? "\(Int64(value))s" : "\(value)s"
    }

    /// Opens a client per endpoint, runs `body` with them keyed by function name, then shuts them
    /// down whether `body` returned or threw.
    public static func withClients<Result: Sendable>(
        _ endpoints: [(name: String, target: FunctionTarget)],
        timeout: Duration,
        body: ([String: FunctionClient]) async throws -> Result
    ) async throws -> Result {
        var clients: [String: FunctionClient] = [:]
        for endpoint in endpoints {
            clients[endpoint.name] = try FunctionClient(name: endpoint.name, target: endpoint.target, timeout: timeout)
        }
        let all = Array(clients.values)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in all {
                // A connection loop that fails surfaces as failed calls, which name the function.
                group.addTask { try? await client.grpc.runConnections() }
            }
            defer { for client in all { client.grpc.beginGracefulShutdown() } }
            return try await body(clients)
        }
    }
}
