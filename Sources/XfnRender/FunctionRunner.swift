import XfnFunctions

/// Calls a function by the name its Function object has. The render pipeline needs nothing more,
/// so tests can stand in for real functions.
public protocol FunctionRunner: Sendable {
    func runFunction(named name: String, _ request: RunFunctionRequest) async throws -> RunFunctionResponse
}

/// Functions reached over gRPC, one client each.
public struct GRPCFunctionRunner: FunctionRunner {
    public let clients: [String: FunctionClient]

    public init(clients: [String: FunctionClient]) { self.clients = clients }

    public func runFunction(named name: String, _ request: RunFunctionRequest) async throws -> RunFunctionResponse {
        guard let client = clients[name] else {
            throw RenderError(.pipeline, "unknown Function \"\(name)\" - does it exist in your Functions file?")
        }
        return try await client.run(request)
    }
}
