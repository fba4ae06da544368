import Synchronization
import XfnCEL
import XfnCore
import XfnYAML

/// Runs `x-kubernetes-validations` with XfnCEL the way the apiserver does when an object is created:
/// `self` typed by the schema node, transition rules (those that need `oldSelf`) skipped, rules with
/// `optionalOldSelf` run with `oldSelf` absent, messages, `messageExpression`, `reason`, `fieldPath`,
/// and a cost budget per object. Each rule is compiled once per schema node and shared between threads.
public final class CELRuleEvaluator: RuleEvaluator {
    /// crossplane's runtime budget for one object (the apiserver allows ten times as much).
    public static let defaultObjectBudget: UInt64 = 1_000_000

    public let objectBudget: UInt64
    /// Per schema node: its `self` type and its rules compiled, made on first use.
    private let nodes = Mutex<[ObjectIdentifier: NodeRules]>([:])
    /// Rules compiled so far, by text and the `self` type they were checked against: generated
    /// CRDs repeat the same rule over the same few fields in many kinds.
    private let programs = Mutex<[ProgramKey: Result<CompiledRule, CompileFailure>]>([:])
    private let skipped = Mutex<Set<String>>([])

    public init(objectBudget: UInt64 = defaultObjectBudget) { self.objectBudget = objectBudget }

    deinit {
        DeferredRelease.release(nodes.withLock { nodes in
            let all = nodes
            nodes = [:]
            return all
        })
        DeferredRelease.release(programs.withLock { programs in
            let all = programs
            programs = [:]
            return all
        })
    }

    /// Transition rules met so far, which need an old object and so were not run (for `--verbose`).
    public var skippedTransitionRules: [String] { skipped.withLock { $0.sorted() } }

    public func makeBudget() -> RuleBudget { RuleBudget(remaining: objectBudget) }

    public func evaluate(rules: [ValidationRule], node: SchemaNode, value: Value, path: FieldPath, budget: RuleBudget) -> [FieldError] {
        let prepared = self.prepared(node, rules: rules)
        let selfType = prepared.selfType
        let typeName = node.types.count == 1 ? node.types[0] : (node.intOrString ? "" : node.types.first ?? "")
        var errors: [FieldError] = []
        // Every rule on a node declares the same `self`, so the value is converted once for all of them.
        var converted: Result<[String: CELValue], CELEvalError>?
        for (rule, compiledRule) in zip(rules, prepared.compiled) {
            guard !budget.isExhausted else { break }
            let program: CELProgram
            switch compiledRule {
            case .failure(let failure):
                errors.append(FieldError(kind: .invalid, source: .rule, path: path, badValue: .value(.string(typeName)),
                                         detail: "rule compile error: \(failure.message): \(rule.rule)"))
                continue
            case .success(let compiledRule):
                guard let ruleProgram = compiledRule.program else {
                    skipped.withLock { _ = $0.insert(rule.rule) }
                    continue
                }
                program = ruleProgram
            }
            if converted == nil {
                do {
                    converted = .success(try CELProgram.convert(["self": value], declarations: ["self": selfType]))
                } catch {
                    converted = .failure(error)
                }
            }
            var variables: [String: CELValue]
            switch converted! {
            case .success(let values): variables = values
            case .failure(let error):
                errors.append(FieldError(kind: .invalid, source: .rule, path: path, badValue: .value(.string(typeName)),
                                         detail: "\(error.message) evaluating rule: \(Self.ruleText(rule))"))
                continue
            }
            if rule.optionalOldSelf { variables["oldSelf"] = .optional(nil) }
            let perCall = min(CELProgram.defaultBudget, budget.remaining)
            let outcome: CELValue
            do {
                let (result, cost) = try program.evaluateWithCost(variables, budget: perCall)
                budget.charge(cost)
                outcome = result
            } catch {
                errors.append(failure(error, rule: rule, path: path, typeName: typeName, callLimited: perCall == CELProgram.defaultBudget, budget: budget))
                continue
            }
            guard case .bool(let passed) = outcome else {
                errors.append(FieldError(kind: .invalid, source: .rule, path: path, badValue: .value(.string(typeName)),
                                         detail: "cel expression must evaluate to a bool: \(Self.ruleText(rule))"))
                continue
            }
            if passed { continue }
            let message = self.message(for: rule, variables: variables, selfType: selfType, budget: budget)
            errors.append(Self.error(for: rule, at: path.appending(fieldPath: rule.fieldPath), typeName: typeName, message: message))
        }
        return errors
    }

    private func failure(_ error: CELEvalError, rule: ValidationRule, path: FieldPath, typeName: String, callLimited: Bool, budget: RuleBudget) -> FieldError {
        let detail: String
        switch error.kind {
        case .costLimitExceeded where callLimited:
            budget.exhaust()
            detail = "'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: \(Self.ruleText(rule))"
        case .costLimitExceeded:
            budget.exhaust()
            detail = "validation failed due to running out of cost budget, no further validation rules will be run"
        case .noSuchOverload:
            detail = "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: \(Self.ruleText(rule))"
        default:
            detail = "\(error.message) evaluating rule: \(Self.ruleText(rule))"
        }
        return FieldError(kind: .invalid, source: .rule, path: path, badValue: .value(.string(typeName)), detail: detail)
    }

    /// `messageExpression` when it yields a usable string, else `message`, else `failed rule: <rule>`.
    private func message(for rule: ValidationRule, variables: [String: CELValue], selfType: CELStaticType, budget: RuleBudget) -> String {
        if let expression = rule.messageExpression,
            let program = try? CEL.compile(expression, declarations: declarations(selfType, optionalOldSelf: rule.optionalOldSelf)),
            let (value, cost) = try? program.evaluateWithCost(variables, budget: min(CELProgram.defaultBudget, budget.remaining))
        {
            budget.charge(cost)
            if case .string(let text) = value, !text.trimmingCharacters(in: .whitespaces).isEmpty, !text.contains("\n"), text.utf8.count <= 5 * 1024 {
                return text
            }
        }
        if let message = rule.message, !message.isEmpty { return message }
        return "failed rule: \(Self.ruleText(rule))"
    }

    static func ruleText(_ rule: ValidationRule) -> String {
        let message = rule.message?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return message.isEmpty ? rule.rule.trimmingCharacters(in: .whitespacesAndNewlines) : message
    }

    /// The error type a rule's `reason` asks for.
    static func error(for rule: ValidationRule, at path: FieldPath, typeName: String, message: String) -> FieldError {
        switch rule.reason {
        case "FieldValueForbidden": FieldError(kind: .forbidden, source: .rule, path: path, detail: message)
        case "FieldValueRequired": FieldError(kind: .required, source: .rule, path: path, detail: message)
        case "FieldValueDuplicate": FieldError(kind: .duplicate, source: .rule, path: path, badValue: .value(.string(typeName)))
        default: FieldError(kind: .invalid, source: .rule, path: path, badValue: .value(.string(typeName)), detail: message)
        }
    }

    // MARK: Compilation

    private struct CompileFailure: Error {
        let message: String
    }

    private struct CompiledRule: Sendable {
        /// nil for a transition rule, which cannot run without an old object.
        let program: CELProgram?
    }

    private func declarations(_ selfType: CELStaticType, optionalOldSelf: Bool) -> [String: CELStaticType] {
        optionalOldSelf ? ["self": selfType, "oldSelf": .optional(selfType)] : ["self": selfType, "oldSelf": selfType]
    }

    /// A node's `self` type and its rules, compiled once and shared by every object checked.
    private struct NodeRules: Sendable {
        /// Keeps the node alive, so its identifier is not reused.
        let node: SchemaNode
        let rules: [ValidationRule]
        /// Declares what any of the rules (or their messages) may read; the value is converted by it
        /// once for all of them.
        let selfType: CELStaticType
        let compiled: [Result<CompiledRule, CompileFailure>]
    }

    private struct ProgramKey: Hashable {
        let rule: String
        let optionalOldSelf: Bool
        let selfType: CELStaticType
    }

    private func prepared(_ node: SchemaNode, rules: [ValidationRule]) -> NodeRules {
        let id = ObjectIdentifier(node)
        if let known = nodes.withLock({ $0[id] }), known.rules == rules { return known }
        let perRule = rules.map { Self.mentionedNames([$0]) }
        let selfType = Self.celType(written: node.written, isResource: true, mentioned: MentionedNames(union: perRule))
        // Each rule is checked against the properties it names itself, so the same rule on
        // another kind with the same fields is compiled only once.
        let compiled = zip(rules, perRule).map { rule, mentioned in
            let ruleType = rules.count == 1 ? selfType : Self.celType(written: node.written, isResource: true, mentioned: mentioned)
            return compile(rule, selfType: ruleType)
        }
        let entry = NodeRules(node: node, rules: rules, selfType: selfType, compiled: compiled)
        nodes.withLock { $0[id] = entry }
        return entry
    }

    private func compile(_ rule: ValidationRule, selfType: CELStaticType) -> Result<CompiledRule, CompileFailure> {
        let key = ProgramKey(rule: rule.rule, optionalOldSelf: rule.optionalOldSelf, selfType: selfType)
        if let known = programs.withLock({ $0[key] }) { return known }
        let result: Result<CompiledRule, CompileFailure>
        do {
            let program = try CEL.compile(rule.rule, declarations: declarations(selfType, optionalOldSelf: rule.optionalOldSelf))
            if let type = program.resultType, type != .bool, type != .dyn {
                result = .failure(CompileFailure(message: "cel expression must evaluate to a bool"))
            } else {
                let isTransition = program.referencedNames.contains("oldSelf") && !rule.optionalOldSelf
                result = .success(CompiledRule(program: isTransition ? nil : program))
            }
        } catch {
            result = .failure(CompileFailure(message: error.message))
        }
        programs.withLock { $0[key] = result }
        return result
    }

    /// The words of some rules, which bound the properties they can select.
    struct MentionedNames: Sendable {
        var words: Set<String> = []
        /// Whether a rule has a backtick or an `__` escape, and so may select a property whose
        /// name is not a plain word (`self.\`max-size\``, `self.max__dash__size`).
        var reachesEscapedNames = false

        init() {}

        init(union parts: [MentionedNames]) {
            for part in parts {
                words.formUnion(part.words)
                reachesEscapedNames = reachesEscapedNames || part.reachesEscapedNames
            }
        }
    }

    /// Every word (a run of letters, digits and underscores) in the rules and their message
    /// expressions, string literals included: no rule can select a property whose name is not
    /// among them.
    static func mentionedNames(_ rules: [ValidationRule]) -> MentionedNames {
        var mentioned = MentionedNames()
        func scan(_ text: String) {
            var previous: UInt8 = 0
            for byte in text.utf8 {
                if byte == UInt8(ascii: "`") || (byte == UInt8(ascii: "_") && previous == byte) { mentioned.reachesEscapedNames = true }
                previous = byte
            }
            scanWords(text)
        }
        func scanWords(_ text: String) {
            var word: [UInt8] = []
            for byte in text.utf8 {
                if isWordByte(byte) {
                    word.append(byte)
                } else if !word.isEmpty {
                    mentioned.words.insert(String(decoding: word, as: UTF8.self))
                    word.removeAll(keepingCapacity: true)
                }
            }
            if !word.isEmpty { mentioned.words.insert(String(decoding: word, as: UTF8.self)) }
        }
        for rule in rules {
            scan(rule.rule)
            if let expression = rule.messageExpression { scan(expression) }
        }
        return mentioned
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"): true
        default: false
        }
    }

    /// `celType(_:isResource:)` of the node compiled from `object`, without compiling it; the
    /// schema is one that compiles.
    ///
    /// With `mentioned`, an object type declares only the properties whose names the rules use
    /// (and every property whose name is not a plain word, which a rule may reach in backticks):
    /// an upjet `spec` has hundreds of properties, and its rules name a few. Values of the
    /// properties left out convert by their own shape, which no rule can observe.
    static func celType(written object: ValueObject, isResource: Bool = false, mentioned: MentionedNames? = nil) -> CELStaticType {
        let keywords = TypeKeywords(object)
        if keywords.isTrue(.intOrString) { return .dyn }
        let types = SchemaCompiler.declaredTypes(keywords[.type]) ?? []
        switch types.first {
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "string":
            let written = keywords[.format]?.stringValue
            switch SchemaCompiler.checkedFormat(written, types: types) == nil ? nil : written {
            case "byte": return .bytes
            case "duration": return .duration
            case "date", "date-time": return .timestamp
            default: return .string
            }
        case "array":
            let element: CELStaticType
            if case .object(let items)? = keywords[.items] { element = celType(written: items, mentioned: mentioned) } else { element = .dyn }
            switch keywords[.listType]?.stringValue {
            case "set": return .keyedList(element, keys: [])
            case "map":
                let keys = keywords[.listMapKeys]?.arrayValue?.compactMap(\.stringValue) ?? []
                return .keyedList(element, keys: keys.compactMap(CELPropertyNames.escape))
            default: return .list(element)
            }
        case "object":
            if case .object(let properties)? = keywords[.properties], !properties.isEmpty {
                var fields: [String: CELStaticType] = [:]
                if let mentioned, !mentioned.reachesEscapedNames, mentioned.words.count < properties.count {
                    // Only plain-word names can be selected: look the rules' words up rather than
                    // going through hundreds of properties.
                    for word in mentioned.words {
                        guard let position = properties.position(of: word), case .object(let schema) = properties.entry(at: position).value,
                              escapedName(word) == word else { continue }
                        fields[word] = celType(written: schema, mentioned: mentioned)
                    }
                } else {
                    fields.reserveCapacity(properties.count + 3)
                    for (name, property) in properties {
                        guard case .object(let schema) = property, let escaped = escapedName(name) else { continue }
                        if let mentioned, !mentioned.words.contains(escaped), name.utf8.allSatisfy(isWordByte) { continue }
                        fields[escaped] = celType(written: schema, mentioned: mentioned)
                    }
                }
                if isResource || keywords.isTrue(.embeddedResource) {
                    fields["apiVersion"] = fields["apiVersion"] ?? .string
                    fields["kind"] = fields["kind"] ?? .string
                    fields["metadata"] = fields["metadata"] ?? .object(name: "ObjectMeta", fields: ["name": .string, "generateName": .string])
                }
                return .object(name: "Object", fields: fields)
            }
            if case .object(let values)? = keywords[.additionalProperties] { return .map(.string, celType(written: values, mentioned: mentioned)) }
            return keywords.isTrue(.preserveUnknownFields) ? .dyn : .map(.string, .dyn)
        default:
            return .dyn
        }
    }

    /// The few keywords the CEL type of a node depends on, gathered in one pass over its keys.
    private struct TypeKeywords: ~Copyable {
        private var values = InlineArray<10, Value?>(repeating: nil)

        private static func slot(_ keyword: SchemaKeywords.Keyword) -> Int? {
            switch keyword {
            case .intOrString: 0
            case .type: 1
            case .format: 2
            case .items: 3
            case .listType: 4
            case .listMapKeys: 5
            case .properties: 6
            case .embeddedResource: 7
            case .additionalProperties: 8
            case .preserveUnknownFields: 9
            default: nil
            }
        }

        init(_ object: ValueObject) {
            for (key, value) in object {
                if let keyword = SchemaKeywords.names[key], let slot = Self.slot(keyword) { values[slot] = value }
            }
        }

        subscript(keyword: SchemaKeywords.Keyword) -> Value? { Self.slot(keyword).flatMap { values[$0] } }

        func isTrue(_ keyword: SchemaKeywords.Keyword) -> Bool {
            if case .bool(true)? = self[keyword] { true } else { false }
        }
    }

    /// `CELPropertyNames.escape`, answered directly for the common names it leaves as they are:
    /// letters and digits only, not all lower case (CEL's reserved words are).
    static func escapedName(_ name: String) -> String? {
        var utf8 = name.utf8.makeIterator()
        guard let first = utf8.next(), (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") else {
            return CELPropertyNames.escape(name)
        }
        var plain = first < UInt8(ascii: "a")
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): plain = true
            default: return CELPropertyNames.escape(name)
            }
        }
        return plain ? name : CELPropertyNames.escape(name)
    }

    /// The CEL type of a compiled node, as the apiserver declares `self`; what `celType(written:)`
    /// must agree with.
    static func celType(_ node: SchemaNode, isResource: Bool = false) -> CELStaticType {
        if node.intOrString { return .dyn }
        switch node.types.first {
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "string":
            switch node.format {
            case "byte": return .bytes
            case "duration": return .duration
            case "date", "date-time": return .timestamp
            default: return .string
            }
        case "array":
            let element = node.items.map { celType($0) } ?? .dyn
            switch node.listType {
            case "set": return .keyedList(element, keys: [])
            case "map": return .keyedList(element, keys: node.listMapKeys.compactMap(CELPropertyNames.escape))
            default: return .list(element)
            }
        case "object":
            if !node.properties.isEmpty {
                var fields: [String: CELStaticType] = [:]
                for (name, property) in node.properties {
                    if let escaped = CELPropertyNames.escape(name) { fields[escaped] = celType(property) }
                }
                if isResource || node.embeddedResource {
                    fields["apiVersion"] = fields["apiVersion"] ?? .string
                    fields["kind"] = fields["kind"] ?? .string
                    fields["metadata"] = fields["metadata"] ?? .object(name: "ObjectMeta", fields: ["name": .string, "generateName": .string])
                }
                return .object(name: "Object", fields: fields)
            }
            if case .schema(let values) = node.additionalProperties { return .map(.string, celType(values)) }
            return node.preserveUnknownFields ? .dyn : .map(.string, .dyn)
        default:
            return .dyn
        }
    }
}

/// What rules may still spend on one object; shared by every rule the object's walk runs.
public final class RuleBudget: Sendable {
    private let state: Mutex<(remaining: UInt64, exhausted: Bool)>

    public init(remaining: UInt64) { state = Mutex((remaining, false)) }

    public var remaining: UInt64 { state.withLock { $0.remaining } }
    public var isExhausted: Bool { state.withLock { $0.exhausted } }

    func charge(_ cost: UInt64) {
        state.withLock { $0.remaining = $0.remaining > cost ? $0.remaining - cost : 0 }
    }

    func exhaust() { state.withLock { $0.exhausted = true } }
}

extension FieldPath {
    /// Appends a rule's `fieldPath` (`.spec.replicas`, `.metadata['name']`); no array indexing, as
    /// Kubernetes allows.
    func appending(fieldPath: String?) -> FieldPath {
        guard let fieldPath, !fieldPath.isEmpty else { return self }
        var text = Substring(fieldPath)
        var path = self
        while !text.isEmpty {
            if text.hasPrefix(".") {
                text = text.dropFirst()
                let name = text.prefix { $0 != "." && $0 != "[" }
                path = path.child(String(name))
                text = text.dropFirst(name.count)
            } else if text.hasPrefix("['"), let end = text.range(of: "']") {
                path = path.child(String(text[text.index(text.startIndex, offsetBy: 2)..<end.lowerBound]))
                text = text[end.upperBound...]
            } else {
                break
            }
        }
        return path
    }
}
