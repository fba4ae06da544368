import Foundation
@testable import XfnCEL

/// Runs the CEL specification's `SimpleTestFile` conformance files against XfnCEL. Tests that need
/// features outside a CRD validator (protobuf messages, enums, unknowns, a type checker, functions
/// Kubernetes does not enable) are counted as skipped with the reason, never dropped silently.
struct ConformanceRunner {
    struct Outcome {
        var passed = 0
        var failed: [(name: String, detail: String)] = []
        var skipped: [(name: String, reason: String)] = []
    }

    static var suiteDirectory: URL {
        // Tests/XfnCELTests/Conformance/ConformanceRunner.swift → repository root → its parent.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/cel-spec")
    }

    /// Substrings of an expression that mark a test as needing protobuf message types.
    private static let protoMarkers = [
        "TestAllTypes", "NestedMessage", "GlobalEnum", "NestedEnum", "google.protobuf.Int", "google.protobuf.UInt",
        "google.protobuf.Bool", "google.protobuf.String", "google.protobuf.Bytes", "google.protobuf.Float",
        "google.protobuf.Double", "google.protobuf.Any", "google.protobuf.Struct", "google.protobuf.Value",
        "google.protobuf.ListValue", "google.protobuf.NullValue", "google.protobuf.FieldMask",
        "google.protobuf.Empty", "proto2.", "proto3.", "TestRequired", "Proto2ExtensionScopedMessage",
    ]

    /// Functions from cel-go extensions that Kubernetes does not enable.
    private static let notInKubernetes: [(marker: String, reason: String)] = [
        (".reverse()", "strings.reverse is strings-extension v3; Kubernetes enables v2"),
        ("math.", "math extension is not enabled in Kubernetes"),
        ("base64.", "encoders extension is not enabled in Kubernetes"),
        ("cel.bind", "bindings extension is not enabled in Kubernetes"),
        ("cel.block", "block extension is not enabled in Kubernetes"),
    ]

    func run(file: String) throws -> Outcome {
        let url = ConformanceRunner.suiteDirectory.appendingPathComponent(file + ".textproto")
        let text = try String(contentsOf: url, encoding: .utf8)
        let root = try TextProto.parse(text)
        var outcome = Outcome()
        for section in root.all("section") {
            let sectionName = section["name"]?.text ?? "?"
            for test in section.all("test") {
                let name = "\(sectionName)/\(test["name"]?.text ?? "?")"
                if ProcessInfo.processInfo.environment["CEL_CONFORMANCE_TRACE"] != nil {
                    FileHandle.standardError.write(Data("RUN \(file)/\(name)\n".utf8))
                }
                if let reason = skipReason(test) {
                    outcome.skipped.append((name, reason))
                    continue
                }
                do {
                    if let failure = try runOne(test) {
                        outcome.failed.append((name, failure))
                    } else {
                        outcome.passed += 1
                    }
                } catch let e as Unsupported {
                    outcome.skipped.append((name, e.reason))
                }
            }
        }
        return outcome
    }

    struct Unsupported: Error { let reason: String }

    private func skipReason(_ test: TextProto) -> String? {
        let expr = test["expr"]?.text ?? ""
        if test["unknown"] != nil || test["any_unknowns"] != nil { return "unknown values are not supported" }
        if test["disable_macros"]?.text == "true" { return "macros cannot be disabled" }
        for m in ConformanceRunner.protoMarkers where expr.contains(m) { return "needs protobuf message types" }
        if expr.range(of: #"[A-Z][A-Za-z0-9_]*\s*\{"#, options: .regularExpression) != nil {
            return "needs protobuf message types"
        }
        for (m, reason) in ConformanceRunner.notInKubernetes where expr.contains(m) { return reason }
        if expr.contains("::ffff:"), test["eval_error"] == nil {
            return "Kubernetes rejects IPv4-mapped IPv6 addresses that cel-go's network extension accepts"
        }
        if let c = test["container"]?.text, c.contains("proto") {
            // Names resolve in a protobuf package; only the resolution rules matter, so run it.
            _ = c
        }
        for env in test.all("type_env") {
            if let t = env["ident"]?["type"], let msg = t["message_type"]?.text,
               msg != "google.protobuf.Timestamp", msg != "google.protobuf.Duration"
            {
                return "needs protobuf message types"
            }
            if let t = env["ident"]?["type"], t["wrapper"] != nil { return "needs protobuf wrapper types" }
            if env["function"] != nil { return "declares custom functions" }
        }
        return nil
    }

    /// nil on success, else a description of the mismatch.
    private func runOne(_ test: TextProto) throws -> String? {
        let expr = test["expr"]?.text ?? ""
        var vars: [String: CELValue] = [:]
        for b in test.all("bindings") {
            guard let key = b["key"]?.text, let v = b["value"]?["value"] else { continue }
            vars[key] = try ConformanceRunner.value(v)
        }
        let container = test["container"]?.text ?? ""
        let expectsError = test["eval_error"] != nil || test["any_eval_errors"] != nil
        let checked = test["disable_check"]?.text != "true"
        var decls: [String: CELStaticType] = [:]
        for key in vars.keys { decls[key] = .dyn }
        for env in test.all("type_env") {
            guard let name = env["name"]?.text, let t = env["ident"]?["type"] else { continue }
            decls[name] = try ConformanceRunner.staticType(t)
        }
        let program: CELProgram
        do {
            if checked {
                program = try CEL.compile(expr, declarations: decls, container: container,
                                          homogeneousLiterals: false)
            } else {
                program = try CEL.compile(expr, container: container, deferUnknownFunctions: true)
            }
        } catch {
            return expectsError ? nil : "compile error: \(error.message)"
        }
        if let want = test["typed_result"]?["deduced_type"] {
            let expectedType = try ConformanceRunner.staticType(want)
            guard program.resultType == expectedType else {
                return "deduced type \(program.resultType.map(\.description) ?? "none"), want \(expectedType)"
            }
        }
        if test["check_only"]?.text == "true" { return nil }
        let result: CELValue
        do {
            result = try program.evaluate(vars)
        } catch {
            return expectsError ? nil : "eval error: \(error)"
        }
        if expectsError { return "expected an error, got \(result.debugText)" }
        var expected: CELValue = .bool(true)
        if let v = test["value"] {
            expected = try ConformanceRunner.value(v)
        } else if let tr = test["typed_result"], let v = tr["result"] {
            expected = try ConformanceRunner.value(v)
        }
        return ConformanceRunner.identical(result, expected) ? nil
            : "got \(result.debugText), want \(expected.debugText)"
    }

    /// Converts a `cel.expr.Type` message.
    static func staticType(_ t: TextProto) throws -> CELStaticType {
        guard let (field, inner) = t.fields.first else { throw Unsupported(reason: "empty type") }
        switch field {
        case "primitive":
            switch inner.text {
            case "BOOL": return .bool
            case "INT64": return .int
            case "UINT64": return .uint
            case "DOUBLE": return .double
            case "STRING": return .string
            case "BYTES": return .bytes
            default: throw Unsupported(reason: "primitive \(inner.text ?? "")")
            }
        case "list_type": return .list(try inner["elem_type"].map(staticType) ?? .dyn)
        case "map_type":
            return .map(try inner["key_type"].map(staticType) ?? .dyn, try inner["value_type"].map(staticType) ?? .dyn)
        case "null": return .null
        case "dyn": return .dyn
        case "type": return .type(try staticType(inner))
        case "well_known":
            switch inner.text {
            case "TIMESTAMP": return .timestamp
            case "DURATION": return .duration
            default: throw Unsupported(reason: "needs protobuf well-known types")
            }
        case "message_type":
            switch inner.text {
            case "google.protobuf.Timestamp": return .timestamp
            case "google.protobuf.Duration": return .duration
            default: throw Unsupported(reason: "needs protobuf message types")
            }
        case "abstract_type" where inner["name"]?.text == "optional_type":
            return .optional(try inner["parameter_types"].map(staticType) ?? .dyn)
        case "type_param": return .param(inner.text ?? "")
        default: throw Unsupported(reason: "type kind \(field)")
        }
    }

    /// Converts a `cel.expr.Value` message.
    static func value(_ v: TextProto) throws -> CELValue {
        guard let (field, inner) = v.fields.first else { throw Unsupported(reason: "empty value") }
        switch field {
        case "null_value": return .null
        case "bool_value": return .bool(inner.text == "true")
        case "int64_value": return .int(Int64(inner.text ?? "") ?? 0)
        case "uint64_value": return .uint(UInt64(inner.text ?? "") ?? 0)
        case "double_value":
            let t = (inner.text ?? "").lowercased()
            switch t {
            case "inf", "infinity": return .double(.infinity)
            case "-inf", "-infinity": return .double(-.infinity)
            case "nan": return .double(.nan)
            default: return .double(Double(t) ?? Double(t.replacingOccurrences(of: "f", with: "")) ?? 0)
            }
        case "string_value": return .string(String(decoding: inner.rawBytes ?? [], as: UTF8.self))
        case "bytes_value": return .bytes(inner.rawBytes ?? [])
        case "type_value": return .type(CELType(inner.text ?? ""))
        case "list_value":
            return .list(try inner.all("values").map(value))
        case "map_value":
            var m = CELMap()
            for e in inner.all("entries") {
                guard let k = e["key"], let val = e["value"] else { continue }
                try m.set(try value(k), try value(val))
            }
            return .map(m)
        case "object_value":
            guard let (typeURL, body) = inner.fields.first else { throw Unsupported(reason: "empty object") }
            let seconds = Int64(body["seconds"]?.text ?? "0") ?? 0
            let nanos = Int64(body["nanos"]?.text ?? "0") ?? 0
            if typeURL.contains("google.protobuf.Duration") {
                return .duration(try CELDuration(nanoseconds: seconds * 1_000_000_000 + nanos))
            }
            if typeURL.contains("google.protobuf.Timestamp") {
                return .timestamp(try CELTimestamp(seconds: seconds, nanos: Int32(nanos)))
            }
            throw Unsupported(reason: "needs protobuf message types")
        case "enum_value": throw Unsupported(reason: "needs protobuf enums")
        default: throw Unsupported(reason: "value kind \(field)")
        }
    }

    /// Exact equality: same kinds, NaN equal to NaN, maps unordered.
    static func identical(_ a: CELValue, _ b: CELValue) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
        case (.int(let x), .int(let y)): return x == y
        case (.uint(let x), .uint(let y)): return x == y
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
        case (.map(let x), .map(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.entries {
                guard let w = y.entries.first(where: { identical($0.key, k) })?.value, identical(v, w) else {
                    return false
                }
            }
            return true
        case (.int, _), (.uint, _), (.double, _), (.list, _), (.map, _): return false
        default: return celEquals(a, b) && a.type == b.type
        }
    }
}
