import XfnTestSupport
import Foundation
import Testing
import XfnCore
@testable import XfnSchema

/// JSON-Schema-Test-Suite draft 4 through the Kubernetes validator, for the keywords Kubernetes supports.
@Suite struct JSONSchemaSuiteTests {
    /// Whole files left out, and why.
    static let excludedFiles: [String: String] = [
        "additionalItems.json": "additionalItems is rejected in v1 CRDs",
        "definitions.json": "definitions and $ref are rejected in v1 CRDs",
        "dependencies.json": "dependencies is rejected in v1 CRDs",
        "patternProperties.json": "patternProperties is rejected in v1 CRDs",
        "ref.json": "$ref is rejected in v1 CRDs",
        "refRemote.json": "$ref is rejected in v1 CRDs",
        "infinite-loop-detection.json": "uses definitions and $ref",
        "format.json": "draft-4 formats (email, hostname, ipv4, uri...) follow go-openapi's rules in Kubernetes, not the suite's",
        "default.json": "Kubernetes applies defaults before validating, which the suite does not expect",
        "optional/ecmascript-regex.json": "Kubernetes patterns are Go RE2, not ECMA-262",
        "optional/id.json": "id and $ref are rejected in v1 CRDs",
        "optional/bignum.json": "go-openapi only counts floats within ±(2^53-1) as integers; Kubernetes decodes big numbers as float64",
    ]

    /// Groups (by file and description) left out, and why.
    static let excludedGroups: [String: String] = [
        "items.json/an array of schemas for items": "tuple-form items is rejected in v1 CRDs",
        "items.json/items and subitems": "uses definitions and $ref",
        "items.json/array-form items with null instance elements": "tuple-form items is rejected in v1 CRDs",
        "additionalProperties.json/additionalProperties being false does not allow other properties": "uses patternProperties, rejected in v1 CRDs",
        "additionalProperties.json/non-ASCII pattern with additionalProperties": "uses patternProperties, rejected in v1 CRDs",
        "properties.json/properties, patternProperties, additionalProperties interaction": "uses patternProperties, rejected in v1 CRDs",
        "optional/non-bmp-regex.json/Proper UTF-16 surrogate pair handling: patternProperties": "uses patternProperties, rejected in v1 CRDs",
        "uniqueItems.json/uniqueItems with an array of items": "tuple-form items is rejected in v1 CRDs",
        "uniqueItems.json/uniqueItems with an array of items and additionalItems=false": "tuple-form items and additionalItems are rejected in v1 CRDs",
        "uniqueItems.json/uniqueItems=false with an array of items": "tuple-form items is rejected in v1 CRDs",
        "uniqueItems.json/uniqueItems=false with an array of items and additionalItems=false": "tuple-form items and additionalItems are rejected in v1 CRDs",
        "type.json/multiple types can be specified in an array": "Kubernetes nodes have one type",
        "type.json/type as array with one item": "Kubernetes nodes have one type",
        "type.json/type: array or object": "Kubernetes nodes have one type",
        "type.json/type: array, object or null": "Kubernetes nodes have one type",
        "type.json/null type matches only the null object": "type: null is rejected in v1 CRDs (use nullable)",
    ]

    /// Single tests left out, and why: behaviour where kube-openapi differs from JSON Schema.
    static let excludedTests: [String: String] = [
        "enum.json/enum with false does not match 0/float zero is invalid": "kube-openapi converts numbers before comparing",
        "enum.json/enum with true does not match 1/float one is invalid": "kube-openapi converts numbers before comparing",
        "enum.json/enum with [0] does not match [false]/[0.0] is valid": "the apiserver decodes [0.0] as a float and the enum's [0] as an integer; reflect.DeepEqual tells them apart",
        "enum.json/enum with [1] does not match [true]/[1.0] is valid": "the apiserver decodes [1.0] as a float and the enum's [1] as an integer; reflect.DeepEqual tells them apart",
        "multipleOf.json/by number/35 is not multiple of 1.5": "kube-openapi checks integer data against int64(multipleOf), here 1",
        "multipleOf.json/small multiple of large integer/any integer is a multiple of 1e-8": "kube-openapi divides integer data by int64(1e-8) == 0 (a Go panic); xfn falls back to the float check",
        "optional/float-overflow.json/all integers are multiples of 0.5, if overflow is handled/valid if optional overflow handling is implemented": "go-openapi divides in float64 and overflows to +Inf, as Kubernetes does",
        "optional/zeroTerminatedFloats.json/some languages do not distinguish between different types of numeric value/a float is not an integer even without fractional part": "go-openapi accepts integral floats for type integer",
        "not.json/forbid everything with empty schema/null is invalid": "kube-openapi runs only the type and enum checks on null",
        "enum.json/heterogeneous enum-with-null validation/null is valid": "kube-openapi never matches null against an enum",
    ]

    /// Raise this as the validator improves; it must never go down.
    static let passFloor = 360

    @Test func draft4() throws {
        let directory = try SharedData.directory("conformance/json-schema-draft4")
        let topLevel = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        let optional = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("optional").path)
        let files = (topLevel + optional.map { "optional/\($0)" }).filter { $0.hasSuffix(".json") }.sorted()
        var passed = 0, failed: [String] = [], skipped = 0
        var seenExclusions: Set<String> = []
        for file in files {
            if Self.excludedFiles[file] != nil { continue }
            let groups = try ValueJSON.parse(Data(contentsOf: directory.appendingPathComponent(file)))
            for group in groups.arrayValue ?? [] {
                let description = group["description"]?.stringValue ?? "?"
                let groupKey = "\(file)/\(description)"
                let tests = group["tests"]?.arrayValue ?? []
                if Self.excludedGroups[groupKey] != nil { seenExclusions.insert(groupKey); skipped += tests.count; continue }
                let schema: CompiledSchema
                do {
                    schema = try CompiledSchema.schema(group["schema"]!)
                } catch {
                    failed.append("\(groupKey): schema does not compile: \(error)")
                    continue
                }
                for test in tests {
                    let name = test["description"]?.stringValue ?? "?"
                    let key = "\(groupKey)/\(name)"
                    let expected = test["valid"]?.boolValue ?? false
                    if Self.excludedTests[key] != nil { seenExclusions.insert(key); skipped += 1; continue }
                    let errors = schema.validateValues(test["data"]!)
                    if errors.isEmpty == expected {
                        passed += 1
                    } else {
                        failed.append("\(key): expected \(expected ? "valid" : "invalid"), got \(errors.map(\.description))")
                    }
                }
            }
        }
        print("JSON-Schema-Test-Suite draft4: \(passed) passed, \(failed.count) failed, \(skipped) skipped")
        for failure in failed { print("  FAIL \(failure)") }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
        #expect(passed >= Self.passFloor)
        // An exclusion that matches nothing hides nothing and must go.
        let stale = Set(Self.excludedGroups.keys).union(Self.excludedTests.keys).subtracting(seenExclusions)
        #expect(stale.isEmpty, "exclusions that match no case: \(stale.sorted())")
    }
}
