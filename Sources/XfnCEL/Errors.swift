import XfnCore

/// A CEL source that does not compile: a syntax error, or a type error found by the checker.
/// `offset` is the UTF-8 byte offset; `line` and `column` are 1-based (the column counts characters)
/// so editors can point at it.
public struct CELParseError: XfnError, Equatable {
    public enum Stage: Sendable, Equatable { case syntax, check }
    public let stage: Stage
    public let reason: String
    public let offset: Int
    public let line: Int
    public let column: Int
    public let source: String

    public var message: String {
        "CEL \(stage == .syntax ? "syntax" : "type") error at \(line):\(column): \(reason)"
    }
    public var hint: String? {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line - 1 < lines.count else { return nil }
        return "| \(lines[line - 1])\n| \(String(repeating: ".", count: max(0, column - 1)))^"
    }

    /// The rendering cel-go gives, which Kubernetes prefixes with "compilation failed: ":
    /// `ERROR: <input>:1:6: undefined field 'foo'` followed by the source line and a caret.
    public var celGoDescription: String {
        var out = "ERROR: <input>:\(line):\(column): \(reason)"
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        if line - 1 < lines.count {
            out += "\n | \(lines[line - 1])\n | \(String(repeating: ".", count: max(0, column - 1)))^"
        }
        return out
    }

    init(reason: String, offset: Int, source: String, stage: Stage = .syntax) {
        self.stage = stage
        self.reason = reason
        self.offset = offset
        self.source = source
        var line = 1
        var column = 1
        var seen = 0
        for ch in source {
            if seen >= offset { break }
            seen += ch.utf8.count
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        self.line = line
        self.column = column
    }
}

/// A failure while evaluating a compiled expression; the message follows cel-go's wording where
/// Kubernetes users see it ("no such overload", "no such key: x", "division by zero").
public struct CELEvalError: XfnError, Equatable {
    public enum Kind: Sendable, Equatable {
        case general
        case noSuchOverload
        case noSuchKey
        case noSuchField
        case overflow
        case divideByZero
        case unboundVariable
        /// The cost budget given to `evaluate` ran out; Kubernetes stops all further rules.
        case costLimitExceeded
    }

    public let kind: Kind
    public let message: String
    /// For "no such overload": the function or operator that had no match (`_+_`, `size`).
    public let function: String?
    public var hint: String? {
        kind == .costLimitExceeded ? "simplify the rule or bound list and string sizes in the schema" : nil
    }

    public init(_ kind: Kind, _ message: String, function: String? = nil) {
        self.kind = kind
        self.message = message
        self.function = function
    }

    static func general(_ message: String) -> CELEvalError { CELEvalError(.general, message) }
    static func noOverload(_ function: String) -> CELEvalError {
        // cel-go's wording, which Kubernetes recognises when it words its own message.
        CELEvalError(.noSuchOverload, "no such overload", function: function)
    }
    static func overflow(_ what: String = "integer") -> CELEvalError {
        CELEvalError(.overflow, "\(what) overflow")
    }
}
