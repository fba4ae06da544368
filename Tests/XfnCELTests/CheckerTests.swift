import Testing
import XfnCore
@testable import XfnCEL

@Suite struct CheckerTests {
    private let spec = CELStaticType.object(name: "Spec", fields: [
        "replicas": .int, "name": .string, "labels": .map(.string, .string), "ports": .list(.int),
        "port": .dyn, "created": .timestamp,
    ])

    private func check(_ source: String) throws(CELParseError) -> CELStaticType? {
        try CEL.compile(source, declarations: ["self": spec]).resultType
    }

    private func rejects(_ source: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let t = try check(source)
            Issue.record("\(source) type-checked as \(t.map(\.description) ?? "?")", sourceLocation: sourceLocation)
        } catch {
            #expect(error.stage == .check, sourceLocation: sourceLocation)
            #expect(error.reason.contains(fragment), "\(error.reason)", sourceLocation: sourceLocation)
        }
    }

    @Test func deducesTypes() throws {
        #expect(try check("self.replicas > 1") == .bool)
        #expect(try check("self.ports.map(p, p * 2)") == .list(.int))
        #expect(try check("self.labels.filter(k, k.startsWith('a'))") == .list(.string))
        #expect(try check("self.name.split('-')") == .list(.string))
        #expect(try check("self.port") == .dyn)
        #expect(try check("self.created.getHours()") == .int)
        #expect(try check("[]") == .list(.dyn))
        #expect(try check("[[], [1]]") == .list(.list(.int)))
        #expect(try check("[optional.none(), optional.of('a')]") == .list(.optional(.string)))
        #expect(try check("{'a': [1]}") == .map(.string, .list(.int)))
        #expect(try check("self.?name") == .optional(.string))
        #expect(try check("type(1)") == .type(.int))
        #expect(try check("quantity('1Gi')") == .opaque("kubernetes.Quantity"))
        #expect(try check("true ? 1 : 2") == .int)
        #expect(try check("'%s has %d'.format([self.name, self.replicas])") == .string)
    }

    @Test func rejectsWhatKubernetesRejects() {
        rejects("self.nosuch == 1", "undefined field 'nosuch'")
        rejects("self.replicas > '3'", "no matching overload for '_>_'")
        rejects("self.name + 1", "no matching overload for '_+_'")
        rejects("self.replicas == 1u", "no matching overload for '_==_'")
        rejects("[1, 'a']", "expected type 'int' but found 'string'")
        rejects("[self.port, 1]", "expected type 'dyn' but found 'int'")
        rejects("[null, 'a']", "expected type 'null_type' but found 'string'")
        rejects("self.replicas.startsWith('1')", "no matching overload for 'startsWith'")
        rejects("self.ports.all(p, p)", "expected type 'bool'")
        rejects("other > 1", "undeclared reference to 'other'")
        rejects("self.replicas.x", "does not support field selection")
        rejects("nosuch(1)", "undeclared reference to 'nosuch'")
        rejects("duration('1 hour') > duration('1h')", "invalid duration argument")
        rejects("timestamp('2024-13-01T00:00:00Z') > timestamp(0)", "invalid timestamp argument")
        rejects("self.name.matches('(?=x)')", "invalid matches argument")
    }

    @Test func errorsRenderLikeCelGo() {
        do {
            _ = try check("self.nosuch == 1")
            Issue.record("expected a type error")
        } catch {
            #expect(error.celGoDescription == "ERROR: <input>:1:5: undefined field 'nosuch'\n | self.nosuch == 1\n | ....^")
        }
    }

    @Test func referencedNamesRevealTransitionRules() throws {
        #expect(try CEL.compile("self.a == oldSelf.a").referencedNames == ["self", "oldSelf"])
        #expect(try CEL.compile("self.all(x, x > 0) && int in [type(1)]").referencedNames == ["self", "int"])
    }

    @Test func dynamicValuesDeferToRuntime() throws {
        #expect(try check("self.port > 1 || self.port.endsWith('%')") == .bool)
        let program = try CEL.compile("self.port > 1", declarations: ["self": spec])
        #expect(try program.evaluate(["self": ["port": 8080]] as [String: Value]).boolValue == true)
        #expect(throws: CELEvalError.self) { try program.evaluate(["self": ["port": "80%"]] as [String: Value]) }
    }

    @Test func setAndMapListsFollowKubernetes() throws {
        let item = CELStaticType.object(name: "Item", fields: ["name": .string, "v": .int])
        let decls: [String: CELStaticType] = [
            "self": .object(name: "S", fields: [
                "tags": .keyedList(.string, keys: []), "items": .keyedList(item, keys: ["name"]), "plain": .list(.string),
            ]),
        ]
        let doc: Value = [
            "tags": ["b", "a"], "plain": ["b", "a"],
            "items": [["name": "x", "v": 1], ["name": "y", "v": 2]],
        ]
        func holds(_ rule: String) throws -> Bool? {
            try CEL.compile(rule, declarations: decls).evaluate(["self": doc]).boolValue
        }
        #expect(try holds("self.tags == ['a', 'b']") == true)
        #expect(try holds("self.tags != ['a', 'c']") == true)
        #expect(try holds("self.plain == ['a', 'b']") == false)
        #expect(try holds("self.tags + ['a', 'c'] == ['b', 'a', 'c']") == true)
        #expect(try holds("size(self.tags + ['a', 'c']) == 3") == true)
        // Kubernetes requires homogeneous literals, so mixed-type maps spell every value with dyn().
        #expect(try holds("self.items == [{'name': dyn('y'), 'v': dyn(2)}, {'name': dyn('x'), 'v': dyn(1)}]") == true)
        #expect(try holds("self.items == [{'name': dyn('y'), 'v': dyn(3)}, {'name': dyn('x'), 'v': dyn(1)}]") == false)
        #expect(try holds("(self.items + [{'name': dyn('x'), 'v': dyn(9)}, {'name': dyn('z'), 'v': dyn(0)}]).map(i, i.v) == [9, 2, 0]") == true)
        #expect(try holds("self.tags.all(t, t in ['a', 'b']) && self.items.exists(i, i.name == 'y')") == true)
    }

    @Test func crossTypeNumericOrderingIsAllowed() throws {
        #expect(try check("self.replicas < 2.5 && 1u < self.replicas") == .bool)
    }
}
