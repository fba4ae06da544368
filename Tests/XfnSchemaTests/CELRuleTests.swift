import Testing
import XfnCore
import XfnYAML
@testable import XfnSchema

/// `x-kubernetes-validations` evaluated during validation, with the apiserver's wording.
@Suite struct CELRuleTests {
    func errors(_ schemaYAML: String, _ objectYAML: String, evaluator: CELRuleEvaluator = CELRuleEvaluator()) throws -> [String] {
        let schema = try CompiledSchema(openAPIV3Schema: try YAMLReader.read(schemaYAML, file: "schema.yaml")[0].value)
        let object = try YAMLReader.read(objectYAML, file: "object.yaml")[0].value
        return schema.check(object, options: CompiledSchema.Options(ruleEvaluator: evaluator)).errors.map(\.description)
    }

    let scaling = Fixture.schemaText(spec: """
        type: object
        x-kubernetes-validations:
          - rule: self.replicas <= self.maxReplicas
            message: replicas must not exceed maxReplicas
          - rule: "self.minReplicas <= self.replicas"
          - rule: self.replicas != 13
            messageExpression: "'replicas may not be ' + string(self.replicas)"
          - rule: "!has(self.paused) || !self.paused"
            reason: FieldValueForbidden
            fieldPath: .paused
            message: pausing is not allowed here
          - rule: self.replicas == oldSelf.replicas
            message: transition rules need the previous object
        properties:
          replicas: {type: integer}
          minReplicas: {type: integer, default: 1}
          maxReplicas: {type: integer}
          paused: {type: boolean}
        """)

    @Test func passingRulesReportNothing() throws {
        #expect(try errors(scaling, "spec: {replicas: 3, maxReplicas: 5}").isEmpty)
    }

    @Test func failingRulesUseMessageOrTheRule() throws {
        #expect(try errors(scaling, "spec: {replicas: 7, maxReplicas: 5, minReplicas: 8}") == [
            #"spec: Invalid value: "object": replicas must not exceed maxReplicas"#,
            #"spec: Invalid value: "object": failed rule: self.minReplicas <= self.replicas"#,
        ])
    }

    @Test func messageExpressionReasonAndFieldPath() throws {
        #expect(try errors(scaling, "spec: {replicas: 13, maxReplicas: 20, paused: true}") == [
            #"spec: Invalid value: "object": replicas may not be 13"#,
            "spec.paused: Forbidden: pausing is not allowed here",
        ])
    }

    @Test func transitionRulesAreSkippedAndRemembered() throws {
        let evaluator = CELRuleEvaluator()
        _ = try errors(scaling, "spec: {replicas: 1, maxReplicas: 1}", evaluator: evaluator)
        #expect(evaluator.skippedTransitionRules == ["self.replicas == oldSelf.replicas"])
    }

    @Test func upjetRequiredParameterRule() throws {
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: "!('*' in self.managementPolicies || 'Create' in self.managementPolicies || 'Update' in self.managementPolicies) || has(self.forProvider.region) || (has(self.initProvider) && has(self.initProvider.region))"
                message: spec.forProvider.region is a required parameter
            properties:
              managementPolicies: {type: array, default: ["*"], items: {type: string}}
              forProvider: {type: object, properties: {region: {type: string}, tags: {type: object, additionalProperties: {type: string}}}}
              initProvider: {type: object, properties: {region: {type: string}}}
            """)
        #expect(try errors(schema, "spec: {forProvider: {tags: {a: b}}}") == [
            #"spec: Invalid value: "object": spec.forProvider.region is a required parameter"#,
        ])
        #expect(try errors(schema, "spec: {forProvider: {region: eu-west-1}}").isEmpty)
        #expect(try errors(schema, "spec: {initProvider: {region: eu-west-1}, forProvider: {}}").isEmpty)
        #expect(try errors(schema, "spec: {managementPolicies: [Observe], forProvider: {}}").isEmpty)
    }

    @Test func schemaTypesReachCEL() throws {
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.created < timestamp('2030-01-01T00:00:00Z')
              - rule: self.timeout > duration('1s')
              - rule: "self.size == 3 || self.size == 'three'"
              - rule: self.x__dash__y == 'ok'
              - rule: self.zones == ['b', 'a']
            properties:
              created: {type: string, format: date-time}
              timeout: {type: string, format: duration}
              size: {x-kubernetes-int-or-string: true}
              x-y: {type: string}
              zones: {type: array, x-kubernetes-list-type: set, items: {type: string}}
            """)
        #expect(try errors(schema, "spec: {created: '2026-11-21T10:00:00Z', timeout: 5s, size: three, x-y: ok, zones: [a, b]}").isEmpty)
        #expect(try errors(schema, "spec: {created: '2031-01-01T00:00:00Z', timeout: 5s, size: 3, x-y: ok, zones: [a, b]}") == [
            #"spec: Invalid value: "object": failed rule: self.created < timestamp('2030-01-01T00:00:00Z')"#,
        ])
    }

    @Test func runtimeErrorsAndBadRulesAreReported() throws {
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.values[5] == 1
              - rule: self.unknownField == 1
              - rule: self.count
            properties:
              values: {type: array, items: {type: integer}}
              count: {type: integer}
            """)
        let found = try errors(schema, "spec: {values: [1], count: 1}")
        #expect(found.count == 3)
        #expect(found[0].hasPrefix(#"spec: Invalid value: "object": "#) && found[0].hasSuffix("evaluating rule: self.values[5] == 1"), "\(found[0])")
        #expect(found[1].contains("rule compile error") && found[1].contains("unknownField"), "\(found[1])")
        #expect(found[2].contains("cel expression must evaluate to a bool"), "\(found[2])")
    }

    @Test func costBudgetStopsFurtherRules() throws {
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.items.all(a, self.items.all(b, self.items.all(c, a + b + c >= 0)))
              - rule: "false"
            properties:
              items: {type: array, items: {type: integer}}
            """)
        let items = (0..<200).map(String.init).joined(separator: ", ")
        let found = try errors(schema, "spec: {items: [\(items)]}", evaluator: CELRuleEvaluator(objectBudget: 500_000))
        #expect(found == [#"spec: Invalid value: "object": validation failed due to running out of cost budget, no further validation rules will be run"#])
    }

    // MARK: Types narrowed to the fields rules name

    @Test func rulesSeeOnlyTheFieldsTheyNameYetEveryNamedFieldKeepsItsType() throws {
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.window > duration('1m')
                message: window too short
              - rule: self.items.all(i, i.name != '')
              - rule: self.max__dash__size >= 1
              - rule: self.ratio > 0.5
            properties:
              window: {type: string, format: duration}
              ratio: {type: number}
              max-size: {type: integer}
              items:
                type: array
                items:
                  type: object
                  properties:
                    name: {type: string}
                    unrelated: {type: integer}
              unrelated: {type: string, format: byte}
            """)
        // `window` compares as a duration and `ratio` as a double only if their declared types reach the rules.
        #expect(try errors(schema, "spec: {window: 5m, ratio: 1, max-size: 2, items: [{name: a, unrelated: 3}], unrelated: aGk=}").isEmpty)
        let failing = try errors(schema, "spec: {window: 30s, ratio: 0, max-size: 0, items: [{name: ''}]}")
        #expect(failing.count == 4, "\(failing)")
        #expect(failing.contains(#"spec: Invalid value: "object": window too short"#))
        #expect(failing.contains(#"spec: Invalid value: "object": failed rule: self.items.all(i, i.name != '')"#))
    }

    /// With more properties than the rules have words, the rules' words are looked up among the
    /// properties; each named field keeps its declared type, nested ones included.
    @Test func wideObjectsDeclareTheNamedFieldsWithTheirTypes() throws {
        let others = (1...12).map { "  other\($0): {type: string}" }.joined(separator: "\n")
        let schema = Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.window > duration('1m') && self.limits.ratio > 0.5
                message: too small
            properties:
              window: {type: string, format: duration}
              limits:
                type: object
                properties:
                  ratio: {type: number}
                  unrelated: {type: integer}
              max-size: {type: integer}
            \(others)
            """)
        #expect(try errors(schema, "spec: {window: 5m, limits: {ratio: 1}, max-size: 2, other1: a}").isEmpty)
        #expect(try errors(schema, "spec: {window: 30s, limits: {ratio: 1}}") == [#"spec: Invalid value: "object": too small"#])
        #expect(try errors(schema, "spec: {window: 5m, limits: {ratio: 0.25}}") == [#"spec: Invalid value: "object": too small"#])
    }

    @Test func aRuleSharedByKindsIsCheckedAgainstEachKindsOwnFieldType() throws {
        let evaluator = CELRuleEvaluator()
        func schema(_ type: String) -> String {
            Fixture.schemaText(spec: """
            type: object
            x-kubernetes-validations:
              - rule: self.size > 1
            properties:
              size: {type: \(type)}
              other: {type: string}
            """)
        }
        #expect(try errors(schema("integer"), "spec: {size: 2}", evaluator: evaluator).isEmpty)
        #expect(try errors(schema("integer"), "spec: {size: 1}", evaluator: evaluator) == [#"spec: Invalid value: "object": failed rule: self.size > 1"#])
        let asString = try errors(schema("string"), "spec: {size: two}", evaluator: evaluator)
        #expect(asString.count == 1 && asString[0].contains("rule compile error"), "\(asString)")
        #expect(try errors(schema("integer"), "spec: {size: 5}", evaluator: evaluator).isEmpty)
    }

    @Test func mentionedNamesAreEveryWordOfTheRulesAndMessages() {
        let rules = [ValidationRule(rule: "has(self.forProvider.region) || self.`a-b` == 'x_y'", messageExpression: "'need ' + self.kind2")]
        let mentioned = CELRuleEvaluator.mentionedNames(rules)
        #expect(mentioned.words == ["has", "self", "forProvider", "region", "a", "b", "x_y", "need", "kind2"])
        #expect(mentioned.reachesEscapedNames, "a backtick can select any property")
        #expect(!CELRuleEvaluator.mentionedNames([ValidationRule(rule: "self.max_size > 1")]).reachesEscapedNames)
        #expect(CELRuleEvaluator.mentionedNames([ValidationRule(rule: "self.max__dash__size > 1")]).reachesEscapedNames)
    }
}

