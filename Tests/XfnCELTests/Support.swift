import Testing
@testable import XfnCEL

/// Compiles and evaluates `source` in the Kubernetes environment.
func evaluate(_ source: String, _ variables: [String: CELValue] = [:]) throws -> CELValue {
    try CEL.compile(source).evaluate(variables)
}

/// Expects `source` to evaluate to boolean true, with the expression in the failure message.
func expectTrue(_ source: String, _ variables: [String: CELValue] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws
{
    let v = try evaluate(source, variables)
    #expect(v.boolValue == true, "\(source) gave \(v.debugText)", sourceLocation: sourceLocation)
}

/// Expects evaluation (not compilation) of `source` to fail, returning the error.
@discardableResult
func expectEvalError(_ source: String, _ variables: [String: CELValue] = [:],
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> CELEvalError?
{
    let program = try CEL.compile(source)
    do {
        let v = try program.evaluate(variables)
        Issue.record("\(source) gave \(v.debugText), expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}
