import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Testing
import XfnCore
@testable import XfnFunctions

/// A v1 function in the test process that answers with `reply`.
struct V1Function: FunctionRunnerV1.SimpleServiceProtocol {
    let reply: @Sendable (RunFunctionRequest) async throws -> RunFunctionResponse
    func runFunction(request: RunFunctionRequest, context: ServerContext) async throws -> RunFunctionResponse {
        try await reply(request)
    }
}

/// A function that only speaks v1beta1, as functions built before v1 do.
struct BetaOnlyFunction: FunctionRunnerV1Beta1.SimpleServiceProtocol {
    func runFunction(request: Apiextensions_Fn_Proto_V1beta1_RunFunctionRequest, context: ServerContext) async throws
        -> Apiextensions_Fn_Proto_V1beta1_RunFunctionResponse
    {
        var response = Apiextensions_Fn_Proto_V1beta1_RunFunctionResponse()
        response.meta.tag = "beta:" + request.meta.tag
        response.desired = request.desired
        return response
    }
}

@Suite struct FunctionClientTests {
    /// Serves `services` on 127.0.0.1 (or a Unix socket) for the duration of `body`.
    static func serve<T: Sendable>(_ services: [any RegistrableRPCService], unixSocket: String? = nil,
                                   _ body: (FunctionTarget) async throws -> T) async throws -> T {
        let transport: HTTP2ServerTransport.Posix = if let unixSocket {
            .http2NIOPosix(address: .unixDomainSocket(path: unixSocket), transportSecurity: .plaintext)
        } else {
            .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        }
        let server = GRPCServer(transport: transport, services: services)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { server.beginGracefulShutdown() }
            let listening = try await server.listeningAddress
            let target: FunctionTarget
            if let path = unixSocket {
                target = .unixSocket(path)
            } else {
                target = .host("127.0.0.1", port: listening!.ipv4!.port)
            }
            return try await body(target)
        }
    }

    static func request(tag: String) -> RunFunctionRequest {
        var request = RunFunctionRequest()
        request.meta.tag = tag
        request.desired.composite.resource = StructBridge.protobufStruct(from: (["kind": "XApp", "spec": ["replicas": 3]] as Value).objectValue!)
        return request
    }

    @Test func callsV1() async throws {
        let function = V1Function { request in
            var response = RunFunctionResponse()
            response.meta.tag = request.meta.tag
            response.desired = request.desired
            var result = FunctionResult()
            result.severity = .normal
            result.message = "ok"
            response.results = [result]
            return response
        }
        try await Self.serve([function]) { target in
            try await FunctionClient.withClients([("function-a", target)], timeout: .seconds(30)) { clients in
                let response = try await clients["function-a"]!.run(Self.request(tag: "t1"))
                #expect(response.meta.tag == "t1")
                #expect(response.results.map(\.message) == ["ok"])
                #expect(StructBridge.value(from: response.desired.composite.resource) == ["kind": "XApp", "spec": ["replicas": 3]])
            }
        }
    }

    @Test func fallsBackToV1Beta1() async throws {
        try await Self.serve([BetaOnlyFunction()]) { target in
            try await FunctionClient.withClients([("old-function", target)], timeout: .seconds(30)) { clients in
                let response = try await clients["old-function"]!.run(Self.request(tag: "t2"))
                #expect(response.meta.tag == "beta:t2")
                #expect(StructBridge.value(from: response.desired.composite.resource)["spec"] == ["replicas": 3])
            }
        }
    }

    @Test func servesOverAUnixSocket() async throws {
        let path = NSTemporaryDirectory() + "xfn-fn-\(UUID().uuidString.prefix(8)).sock"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let function = V1Function { request in
            var response = RunFunctionResponse()
            response.meta.tag = "unix:" + request.meta.tag
            return response
        }
        try await Self.serve([function], unixSocket: path) { target in
            try await FunctionClient.withClients([("function-u", target)], timeout: .seconds(30)) { clients in
                let response = try await clients["function-u"]!.run(Self.request(tag: "t3"))
                #expect(response.meta.tag == "unix:t3")
            }
        }
    }

    @Test func slowFunctionTimesOutNamingIt() async throws {
        let function = V1Function { _ in
            try await Task.sleep(for: .seconds(60))
            return RunFunctionResponse()
        }
        try await Self.serve([function]) { target in
            let clock = ContinuousClock()
            let started = clock.now
            try await FunctionClient.withClients([("function-slow", target)], timeout: .milliseconds(300)) { clients in
                let error = await #expect(throws: FunctionError.self) { try await clients["function-slow"]!.run(Self.request(tag: "")) }
                #expect(error?.kind == .unreachable)
                #expect(error?.message.hasPrefix("function \"function-slow\": no answer from 127.0.0.1:") == true)
                #expect(error?.exitCode == .function)
            }
            // Well before the function would answer: the timeout, not the function, ended the call.
            #expect(clock.now - started < .seconds(30))
        }
    }

    @Test func functionErrorsCarryTheStatus() async throws {
        let function = V1Function { _ in throw RPCError(code: .invalidArgument, message: "input is missing") }
        try await Self.serve([function]) { target in
            try await FunctionClient.withClients([("function-bad", target)], timeout: .seconds(30)) { clients in
                let error = await #expect(throws: FunctionError.self) { try await clients["function-bad"]!.run(Self.request(tag: "")) }
                #expect(error?.kind == .callFailed)
                #expect(error?.message.contains("input is missing") == true)
                #expect(error?.message.contains("function \"function-bad\"") == true)
            }
        }
    }

    @Test func nothingListeningIsUnreachable() async throws {
        // A port that was free a moment ago; nothing listens there.
        let probe = GRPCServer(transport: .http2NIOPosix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext), services: [])
        let port: Int = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await probe.serve() }
            let port = try await probe.listeningAddress!.ipv4!.port
            probe.beginGracefulShutdown()
            try await group.waitForAll()
            return port
        }
        try await FunctionClient.withClients([("function-gone", .host("127.0.0.1", port: port))], timeout: .milliseconds(500)) { clients in
            let error = await #expect(throws: FunctionError.self) { try await clients["function-gone"]!.run(Self.request(tag: "")) }
            #expect(error?.kind == .unreachable)
            #expect(error?.function == "function-gone")
        }
    }
}
