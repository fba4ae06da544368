import XfnCEL
import Foundation
import XfnCore
import XfnYAML

/// The apiserver's OpenAPI value validation (kube-openapi's validator with `in = "body"`), mapped to
/// field errors the way apiextensions does. Unknown fields are not errors here; pruning reports them.
struct ValueValidator {
    static func validate(_ node: SchemaNode, _ value: Value, at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        var matched = 0
        validate(node, value, path, &errors, &matched)
        return errors
    }

    /// One branch of anyOf/oneOf/allOf: its errors and kube-openapi's "match count", the amount of
    /// checking that applied, which decides whose errors a failed anyOf/oneOf reports.
    private static func branch(_ node: SchemaNode, _ value: Value, _ path: FieldPath) -> (errors: [FieldError], matched: Int) {
        var errors: [FieldError] = []
        var matched = 0
        validate(node, value, path, &errors, &matched)
        return (errors, matched)
    }

    /// The name kube-openapi puts in its messages: the dotted path, empty at the root.
    private static func name(_ path: FieldPath) -> String { path.description }

    private static func typeError(_ path: FieldPath, expected: String, actual: String) -> FieldError {
        FieldError(kind: .typeInvalid, path: path, badValue: .value(.string(actual)),
                   detail: "\(name(path)) in body must be of type \(expected): \(GoFormat.quote(actual))")
    }

    private static func invalid(_ path: FieldPath, _ value: FieldError.BadValue, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, path: path, badValue: value, detail: detail)
    }

    /// A kube-openapi error that is not a `*Validation` (the anyOf/oneOf/allOf/not summaries): the
    /// apiserver reports it without a field path and with an empty value.
    private static func composite(_ path: FieldPath, _ detail: String) -> FieldError {
        FieldError(kind: .invalid, path: path, field: "<nil>", badValue: .value(.string("")), detail: detail)
    }

    static func validate(_ node: SchemaNode, _ value: Value, _ path: FieldPath, _ errors: inout [FieldError], _ matched: inout Int) {
        let typeApplies = !node.types.isEmpty || node.format != nil
        if value.isNull {
            if !node.types.isEmpty, !node.types.contains("null"), !node.nullable {
                errors.append(typeError(path, expected: node.types.joined(separator: ","), actual: "null"))
            } else if typeApplies {
                matched += 1
            }
            checkEnum(node, value, path, &errors)
            return
        }
        if typeApplies {
            let before = errors.count
            checkType(node, value, path, &errors)
            matched += errors.count == before ? 2 : 1
        }
        matched += 2
        let children = node.children
        checkCombinators(children, value, path, &errors, &matched)
        if case .string(let s) = value {
            matched += 1
            checkString(node, s, path, &errors)
            if let format = node.stringFormat {
                matched += 1
                if !format.accepts(s) {
                    errors.append(FieldError(kind: .typeInvalid, path: path, badValue: .value(value),
                                             detail: "\(name(path)) in body must be of type \(node.format ?? format.rawValue): \(GoFormat.quote(s))"))
                }
            }
        }
        if value.numberValue != nil {
            matched += 2
            checkNumber(node, value, path, &errors)
        }
        if case .array(let items) = value {
            matched += 2
            checkArray(node, children, items, path, &errors, &matched)
        }
        matched += 1
        checkEnum(node, value, path, &errors)
        if case .object(let object) = value {
            matched += 1
            checkObject(node, children, object, path, &errors, &matched)
        }
        matched += 1
    }

    private static func checkType(_ node: SchemaNode, _ value: Value, _ path: FieldPath, _ errors: inout [FieldError]) {
        guard !node.types.isEmpty || node.format != nil else { return }
        let actual = value.kubernetesTypeName
        let isFloatInt: Bool = {
            if case .double(let d) = value { return node.types.contains("integer") && isJSONInteger(d) }
            return false
        }()
        let isIntFloat = actual == "integer" && node.types.contains("number")
        let isStringOrArray: Bool = { switch value { case .string, .array: true; default: false } }()
        if let format = node.format, !isStringOrArray,
           !(node.types.contains(actual) || isFloatInt || isIntFloat) {
            let dataFormat: String = { switch value { case .int: "int64"; case .double: "float64"; default: "" } }()
            if dataFormat != format {
                errors.append(typeError(path, expected: format, actual: dataFormat))
                return
            }
        }
        if !(node.types.contains("number") || node.types.contains("integer")), node.format != nil, isStringOrArray { return }
        if !(node.types.contains(actual) || isFloatInt || isIntFloat) {
            errors.append(typeError(path, expected: node.types.joined(separator: ","), actual: actual))
        }
    }

    /// go-openapi's `IsFloat64AJSONInteger`.
    static func isJSONInteger(_ f: Double) -> Bool {
        let limit = Double((1 << 53) - 1)
        guard f.isFinite, f >= -limit, f <= limit else { return false }
        let g = f.rounded(.towardZero)
        if f == g { return true }
        let diff = abs(f - g)
        if g == 0 { return diff < 1e-9 * Double.leastNonzeroMagnitude }
        return diff / min(abs(f) + abs(g), .greatestFiniteMagnitude) < 1e-9
    }

    private static func checkCombinators(_ node: SchemaNode.Children, _ value: Value, _ path: FieldPath, _ errors: inout [FieldError], _ matched: inout Int) {
        guard !node.anyOf.isEmpty || !node.oneOf.isEmpty || !node.allOf.isEmpty || node.not != nil else { return }
        let quoted = GoFormat.quote(name(path))
        if !node.anyOf.isEmpty {
            var best: (errors: [FieldError], matched: Int)? = nil
            var firstSuccess: Int? = nil
            for schema in node.anyOf {
                let result = branch(schema, value, path)
                if result.errors.isEmpty {
                    best = nil
                    firstSuccess = result.matched
                    break
                }
                if best == nil || result.matched > best!.matched { best = result }
            }
            if firstSuccess == nil { errors.append(composite(path, "\(quoted) must validate at least one schema (anyOf)")) }
            if let best {
                errors += best.errors
                matched += best.matched
            } else if let firstSuccess {
                matched += firstSuccess
            }
        }
        if !node.oneOf.isEmpty {
            var best: (errors: [FieldError], matched: Int)? = nil
            var firstSuccess: Int? = nil
            var valid = 0
            for schema in node.oneOf {
                let result = branch(schema, value, path)
                if result.errors.isEmpty {
                    valid += 1
                    best = nil
                    if firstSuccess == nil { firstSuccess = result.matched }
                    continue
                }
                if valid == 0, best == nil || result.matched > best!.matched { best = result }
            }
            if valid != 1 {
                let detail = valid == 0 ? "Found none valid" : "Found \(valid) valid alternatives"
                errors.append(composite(path, "\(quoted) must validate one and only one schema (oneOf). \(detail)"))
                if let best {
                    errors += best.errors
                    matched += best.matched
                }
            } else if let firstSuccess {
                matched += firstSuccess
            }
        }
        if !node.allOf.isEmpty {
            var validated = 0
            for schema in node.allOf {
                let result = branch(schema, value, path)
                if result.errors.isEmpty { validated += 1 }
                errors += result.errors
                matched += result.matched
            }
            if validated != node.allOf.count {
                let detail = validated == 0 ? ". None validated" : ""
                errors.append(composite(path, "\(quoted) must validate all the schemas (allOf)\(detail)"))
            }
        }
        if let not = node.not, branch(not, value, path).errors.isEmpty {
            errors.append(composite(path, "\(quoted) must not validate the schema (not)"))
        }
    }

    private static func checkString(_ node: SchemaNode, _ s: String, _ path: FieldPath, _ errors: inout [FieldError]) {
        let length = Int64(s.unicodeScalars.count)
        if let max = node.maxLength, length > max {
            let unit = max == 1 ? "byte" : "bytes"
            errors.append(FieldError(kind: .tooLong, path: path, detail: "may not be more than \(max) \(unit)"))
            return
        }
        if let min = node.minLength, length < min {
            errors.append(invalid(path, .value(.string(s)), "\(name(path)) in body should be at least \(min) chars long"))
            return
        }
        if let pattern = node.pattern, !pattern.matches(s) {
            errors.append(invalid(path, .value(.string(s)), "\(name(path)) in body should match '\(pattern.pattern)'"))
        }
    }

    /// Go's `int64(f)` for a bound written as a float: truncation, saturating out of range.
    private static func truncated(_ d: Double) -> Int64 {
        if d.isNaN { return Int64.min }
        if d >= 9.223372036854775807e18 { return Int64.min }
        if d <= -9.223372036854775808e18 { return Int64.min }
        return Int64(d.rounded(.towardZero))
    }

    private static func checkNumber(_ node: SchemaNode, _ value: Value, _ path: FieldPath, _ errors: inout [FieldError]) {
        let subject = name(path)
        if let factor = node.multipleOf {
            if case .int(let i) = value, truncated(factor) > 0 {
                let f = truncated(factor)
                if i % f != 0 {
                    errors.append(invalid(path, .value(value), "\(subject) in body should be a multiple of \(f)"))
                }
            } else if factor < 0 {
                errors.append(invalid(path, .value(.double(factor)), "factor MultipleOf declared for \(subject) must be positive: \(GoFormat.float(factor))"))
            } else {
                let data = value.numberValue!
                let multiple = factor < 1 ? 1 / factor * data : data / factor
                if !isJSONInteger(multiple) {
                    errors.append(invalid(path, .value(value), "\(subject) in body should be a multiple of \(GoFormat.float(factor))"))
                }
            }
        }
        if let min = node.minimum {
            let exclusive = node.exclusiveMinimum
            let word = exclusive ? "greater than" : "greater than or equal to"
            if case .int(let i) = value {
                let bound = truncated(min)
                if exclusive ? i <= bound : i < bound {
                    errors.append(invalid(path, .value(value), "\(subject) in body should be \(word) \(bound)"))
                }
            } else if let d = value.numberValue, exclusive ? d <= min : d < min {
                errors.append(invalid(path, .value(value), "\(subject) in body should be \(word) \(GoFormat.float(min))"))
            }
        }
        if let max = node.maximum {
            let exclusive = node.exclusiveMaximum
            let word = exclusive ? "less than" : "less than or equal to"
            if case .int(let i) = value {
                let bound = truncated(max)
                if exclusive ? i >= bound : i > bound {
                    errors.append(invalid(path, .value(value), "\(subject) in body should be \(word) \(bound)"))
                }
            } else if let d = value.numberValue, exclusive ? d >= max : d > max {
                errors.append(invalid(path, .value(value), "\(subject) in body should be \(word) \(GoFormat.float(max))"))
            }
        }
    }

    private static func checkArray(_ node: SchemaNode, _ children: SchemaNode.Children, _ items: [Value], _ path: FieldPath,
                                   _ errors: inout [FieldError], _ matched: inout Int) {
        if let itemSchema = children.items {
            for (index, item) in items.enumerated() {
                validate(itemSchema, item, path.index(index), &errors, &matched)
            }
        }
        let size = Int64(items.count)
        if let min = node.minItems, size < min {
            errors.append(invalid(path, .value(.int(size)), "\(name(path)) in body should have at least \(min) items"))
        }
        if let max = node.maxItems, size > max {
            errors.append(FieldError(kind: .tooMany, path: path, badValue: .count(items.count),
                                     detail: "must have at most \(max) \(max == 1 ? "item" : "items")"))
        }
        if node.uniqueItems, hasDuplicates(items) {
            errors.append(invalid(path, .value(.string("")), "\(name(path)) in body shouldn't contain duplicates"))
        }
    }

    static func hasDuplicates(_ items: [Value]) -> Bool {
        for i in items.indices {
            for j in items.indices where j > i && jsonEqual(items[i], items[j]) { return true }
        }
        return false
    }

    /// Equality of decoded JSON as Go's `reflect.DeepEqual` sees it: strings byte for byte (no Unicode
    /// normalisation), an integer and a float different.
    static func jsonEqual(_ a: Value, _ b: Value) -> Bool { deepEqual(a, b, numbersByValue: false) }

    static func deepEqual(_ a: Value, _ b: Value, numbersByValue: Bool) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x == y
        case (.int, .double), (.double, .int): return numbersByValue && a.numberValue == b.numberValue
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1, numbersByValue: numbersByValue) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], deepEqual(value, other, numbersByValue: numbersByValue) else { return false }
            }
            return true
        default: return false
        }
    }

    private static func checkEnum(_ node: SchemaNode, _ value: Value, _ path: FieldPath, _ errors: inout [FieldError]) {
        guard let allowed = node.enumValues, !allowed.isEmpty else { return }
        if !value.isNull, allowed.contains(where: { enumMatches(value, $0) }) { return }
        let supported = allowed.map { v -> String in
            if case .string(let s) = v { return GoFormat.quote(s) }
            return GoFormat.quote(GoFormat.json(v))
        }
        errors.append(FieldError(kind: .notSupported, path: path, badValue: .value(value),
                                 detail: "supported values: " + supported.joined(separator: ", ")))
    }

    /// kube-openapi converts the value to the enum entry's Go type, then uses `reflect.DeepEqual`.
    /// Enum entries are decoded like objects (whole numbers int64, others float64), so a float
    /// truncates to match an integer entry, an integer becomes a one-rune string (Go's
    /// `string(rune)`), and inside lists and objects an integer and a float never match.
    private static func enumMatches(_ value: Value, _ candidate: Value) -> Bool {
        switch (value, candidate) {
        case (.int(let d), .int(let e)): return d == e
        case (.double(let x), .int(let e)): return x.isFinite && truncated(x) == e
        case (.int(let d), .double(let e)): return Double(d) == e
        case (.double(let x), .double(let e)): return x == e
        case (.int(let i), .string(let s)):
            let scalar = (0...0x10FFFF).contains(i) ? Unicode.Scalar(UInt32(i)) : nil
            return String(scalar ?? "\u{FFFD}").utf8.elementsEqual(s.utf8)
        case (_, .null): return false
        default: return jsonEqual(value, candidate)
        }
    }

    private static func checkObject(_ node: SchemaNode, _ children: SchemaNode.Children, _ object: ValueObject, _ path: FieldPath,
                                    _ errors: inout [FieldError], _ matched: inout Int) {
        let size = Int64(object.count)
        if let min = node.minProperties, size < min {
            errors.append(invalid(path, .value(.int(size)), "\(name(path)) in body should have at least \(min) properties"))
            return
        }
        if let max = node.maxProperties, size > max {
            errors.append(FieldError(kind: .tooMany, path: path, badValue: .count(object.count),
                                     detail: "must have at most \(max) \(max == 1 ? "item" : "items")"))
            return
        }
        switch children.additionalProperties {
        case .allowed(false):
            for key in object.keys where !children.properties.contains(key) {
                errors.append(invalid(path, .value(.string(key)), "\(name(path)).\(key) in body is a forbidden property"))
            }
        case .schema(let extra):
            for (key, value) in object where !children.properties.contains(key) {
                validate(extra, value, path.child(key), &errors, &matched)
            }
        default:
            break
        }
        // Declared properties are checked in the order the schema lists them; an object usually
        // holds far fewer keys than its schema declares, so its keys are looked up, not the schema's.
        let properties = children.properties
        if object.count < properties.count {
            var present: [(position: Int, key: String, value: Value)] = []
            for (key, value) in object {
                if let position = properties.position(of: key) { present.append((position, key, value)) }
            }
            present.sort { $0.position < $1.position }
            for member in present {
                validate(properties.node(at: member.position), member.value, path.child(member.key), &errors, &matched)
            }
        } else {
            for position in 0..<properties.count {
                let property = properties.name(at: position)
                if let value = object[property] {
                    validate(properties.node(at: position), value, path.child(property), &errors, &matched)
                }
            }
        }
        for key in node.required where !object.contains(key) {
            errors.append(FieldError(kind: .required, path: path.child(key)))
        }
    }
}
