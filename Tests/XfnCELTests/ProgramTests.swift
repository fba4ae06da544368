import Testing
import XfnCore
@testable import XfnCEL

@Suite struct ProgramTests {
    private let deployment: Value = [
        "replicas": 3, "minReplicas": 1, "maxReplicas": 5, "name": "web",
        "labels": ["app": "web", "tier-name": "front"],
        "containers": [["name": "a", "image": "nginx:1.25"], ["name": "b", "image": "redis:7"]],
        "ratio": 2,
    ]

    @Test func evaluatesAgainstDocumentValues() throws {
        let rule = try CEL.compile("self.minReplicas <= self.replicas && self.replicas <= self.maxReplicas")
        #expect(try rule.evaluate(["self": deployment]).boolValue == true)
        let names = try CEL.compile("self.containers.map(c, c.name)")
        #expect(try names.evaluate(["self": deployment]).documentValue == ["a", "b"])
        let labels = try CEL.compile("self.labels['tier-name'] == 'front' && 'app' in self.labels")
        #expect(try labels.evaluate(["self": deployment]).boolValue == true)
    }

    @Test func oneProgramManyActivations() throws {
        let rule = try CEL.compile("self.replicas % 2 == 1")
        var odd = 0
        for n in 0..<10 where try rule.evaluate(["self": ["replicas": .int(Int64(n))]]).boolValue == true { odd += 1 }
        #expect(odd == 5)
    }

    @Test func declaredTypesShapeConversion() throws {
        let obj: Value = ["data": "aGVsbG8=", "at": "2024-05-01T10:00:00Z", "day": "2024-05-01", "ratio": 2,
                          "x-y": "dash", "ttl": "90s", "port": "80%"]
        let type = CELStaticType.object(name: "T", fields: [
            "data": .bytes, "at": .timestamp, "day": .timestamp, "ratio": .double, "ttl": .duration,
            "x__dash__y": .string, "port": .dyn,
        ])
        let rule = try CEL.compile(
            "self.data == b'hello' && self.at.getHours() == 10 && self.day.getDate() == 1 && "
                + "type(self.ratio) == double && self.x__dash__y == 'dash' && self.ttl == duration('1m30s') && "
                + "(type(self.port) == string ? self.port.endsWith('%') : self.port > 0)",
            declarations: ["self": type])
        #expect(rule.resultType == .bool)
        #expect(try rule.evaluate(["self": obj]).boolValue == true)
        let bad = try CEL.compile("self.data", declarations: ["self": .object(name: "T", fields: ["data": .timestamp])])
        #expect(throws: CELEvalError.self) { try bad.evaluate(["self": obj]) }
        // int-or-string is `dyn`: a type checker cannot reject `self > 1`, evaluation can.
        let intOrString = try CEL.compile("self > 1", declarations: ["self": .dyn])
        #expect(try intOrString.evaluate(["self": 5] as [String: Value]).boolValue == true)
        #expect(throws: CELEvalError.noOverload("_>_")) { try intOrString.evaluate(["self": "50%"] as [String: Value]) }
    }

    @Test func schemaFormatsParseAsKubernetesDoes() throws {
        let type = CELStaticType.object(name: "T", fields: ["a": .duration, "b": .duration, "c": .timestamp])
        let rule = try CEL.compile("self.a == duration('72h') && self.b == duration('170h') && self.c.getHours() == 7",
                                   declarations: ["self": type])
        #expect(try rule.evaluate(["self": ["a": "3d", "b": "1 week 2hours", "c": "2024-01-01T07:00:00"]]).boolValue == true)
        #expect(throws: CELEvalError.self) { try rule.evaluate(["self": ["a": "soon", "b": "1h", "c": "x"]]) }
    }

    @Test func documentValuesReportCost() throws {
        let rule = try CEL.compile("self.a > 0", declarations: ["self": .map(.string, .int)])
        let result = try rule.evaluateWithCost(["self": ["a": 2]] as [String: Value])
        #expect(result.value.boolValue == true)
        #expect(result.cost == 3)
        let converted = try rule.convert(["self": ["a": 1]])
        #expect(try rule.evaluate(converted).boolValue == true)
    }

    @Test func optionalOldSelf() throws {
        let rule = try CEL.compile("!oldSelf.hasValue() || self >= oldSelf.value()",
                                   declarations: ["self": .int, "oldSelf": .optional(.int)])
        #expect(try rule.evaluate(["self": 3, "oldSelf": 2] as [String: Value]).boolValue == true)
        #expect(try rule.evaluate(["self": 1, "oldSelf": 2] as [String: Value]).boolValue == false)
        #expect(try rule.evaluate(["self": .int(1), "oldSelf": .optional(nil)] as [String: CELValue]).boolValue == true)
    }

    @Test func resultsConvertBack() throws {
        #expect(try evaluate("{'a': [1, 2u, 2.5, 'x', null, true]}").documentValue
            == ["a": [1, 2, 2.5, "x", nil, true]])
        #expect(try evaluate("b'hi'").documentValue == "aGk=")
        #expect(try evaluate("timestamp('2024-01-01T00:00:00Z')").documentValue == "2024-01-01T00:00:00Z")
        #expect(try evaluate("type(1)").documentValue == nil)
        #expect(try evaluate("{1: 'a'}").documentValue == nil)
    }

    @Test func costBudgetStopsRunawayRules() throws {
        let rule = try CEL.compile("lists.range(1000).all(i, lists.range(1000).all(j, i + j >= 0))")
        do {
            _ = try rule.evaluate([:] as [String: CELValue], budget: 100_000)
            Issue.record("expected the budget to run out")
        } catch {
            #expect(error.kind == .costLimitExceeded)
            #expect(error.message == "operation cancelled: actual cost limit exceeded")
        }
    }

    /// Expected costs worked out by hand from cel-go's runtime cost model as Kubernetes configures it.
    @Test(arguments: [
        ("self.a == 1", 3), ("'abc'.startsWith('a')", 1), ("has(self.a)", 0), ("self.a in [1, 2, 3]", 5),
        ("[1, 2, 3].all(x, x > 0)", 16), ("[1, 2, 3].exists(x, x == 2)", 16), ("[1, 2, 3].exists(x, x == 3)", 19), ("[1, 2].map(x, x * 2)", 29),
        ("self.name.matches('^[a-z]+$')", 4), ("self.long.contains('b')", 4), ("self.name + self.name", 5),
        ("[1, 2, 3].filter(x, x > 1)", 34), ("{'k': self.a}", 32), ("[3, 1, 2].isSorted()", 3),
        ("self.long.lowerAscii()", 4), ("self.long.split('a')", 6), ("''.startsWith('')", 0),
        ("quantity('1Gi').isGreaterThan(quantity('1Mi'))", 3), ("lists.range(5).size()", 17),
        ("[3, 1, 2].sort()", 29), ("sets.equivalent([1, 2], [2, 1, 1])", 13),
    ] as [(String, UInt64)])
    func costsFollowTheCelGoModel(_ source: String, _ expected: UInt64) throws {
        let vars: [String: CELValue] = [
            "self": try CELValue(["a": 1, "name": "hello", "long": .string(String(repeating: "a", count: 20))]),
        ]
        let result = try CEL.compile(source, variables: ["self"]).evaluateWithCost(vars)
        #expect(result.cost == expected, "\(source) cost \(result.cost)")
    }

    @Test func budgetErrorsAreNotAbsorbed() throws {
        let rule = try CEL.compile("true || lists.range(100000).all(x, x >= 0)")
        #expect(try rule.evaluate([:] as [String: CELValue], budget: 10).boolValue == true)
        let other = try CEL.compile("lists.range(100000).all(x, x >= 0) || true")
        #expect(throws: CELEvalError.self) { try other.evaluate([:] as [String: CELValue], budget: 10_000) }
    }

    @Test func compiledProgramsAreSendable() async throws {
        let rule = try CEL.compile("self.n * 2")
        let results = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<8 {
                group.addTask {
                    guard case .int(let v) = try rule.evaluate(["self": ["n": .int(Int64(i))]]) else { return -1 }
                    return v
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 56)
    }

    @Test func declaredVariables() throws {
        let vars: Set<String> = ["self", "oldSelf"]
        #expect(throws: CELParseError.self) { try CEL.compile("self.a == other", variables: vars) }
        let rule = try CEL.compile("self.a == oldSelf.a && type(self) == map && [1].all(x, x == 1)", variables: vars)
        #expect(try rule.evaluate(["self": ["a": 1], "oldSelf": ["a": 1]] as [String: Value]).boolValue == true)
    }

    @Test func propertyNameEscaping() {
        #expect(CELPropertyNames.escape("namespace") == "__namespace__")
        #expect(CELPropertyNames.escape("x-kubernetes.io/name") == "x__dash__kubernetes__dot__io__slash__name")
        #expect(CELPropertyNames.escape("a__b") == "a__underscores__b")
        #expect(CELPropertyNames.escape("plain") == "plain")
        #expect(CELPropertyNames.escape("1abc") == nil)
        #expect(CELPropertyNames.escape("a b") == nil)
    }
}
