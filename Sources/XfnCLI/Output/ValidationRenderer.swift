import ArgumentParser
import XfnCore
import XfnValidate
import XfnYAML

enum ValidationOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, github, junit
}

/// Writes a validation report as crossplane's text lines (optionally led by `file:line:col: `),
/// as crossplane/cli's JSON with positions added, as GitHub Actions annotations, or as JUnit XML.
struct ValidationRenderer {
    var format: ValidationOutputFormat
    var skipSuccessResults = false
    /// Lead each text line with where the resource or finding is.
    var positions = true
    var errorOnMissingSchemas = false

    func render(_ report: ValidationReport) -> String {
        switch format {
        case .text: text(report)
        case .json: PrettyJSON.render(json(report)) + "\n"
        case .github: github(report)
        case .junit: ValidationJUnit.render(report, errorOnMissingSchemas: errorOnMissingSchemas)
        }
    }

    // MARK: - Text

    private func text(_ report: ValidationReport) -> String {
        var out = ""
        for result in report.results {
            let gvk = result.gvk.description
            switch result.status {
            case .missingSchema:
                out += prefix(result.file, result.position) + "[!] could not find CRD/XRD for: \(gvk)\(Self.origin(result))\n"
            case .valid:
                if skipSuccessResults { continue }
                out += prefix(result.file, result.position) + "[✓] \(gvk), \(result.name) validated successfully\(Self.origin(result))\n"
            case .invalid, .unreadable:
                for finding in result.findings {
                    out += prefix(result.file, finding.position ?? result.position) + Self.line(result, finding) + Self.origin(result) + "\n"
                }
            }
        }
        out += Self.summaryLine(report.summary) + "\n"
        return out
    }

    private func prefix(_ file: String, _ position: SourcePosition?) -> String {
        guard positions else { return "" }
        guard let position else { return "\(file): " }
        return "\(file):\(position.line):\(position.column): "
    }

    static func line(_ result: ResourceResult, _ finding: Finding) -> String {
        let subject = "\(result.gvk), \(result.name)"
        switch finding.kind {
        case .cel: return "[x] CEL validation error \(subject) : \(finding.message)"
        case .schema, .unknownField, .source: return "[x] schema validation error \(subject) : \(finding.message)"
        case .parse: return "[x] \(finding.message)"
        case .render: return "[x] render error \(subject) : \(finding.message)"
        }
    }

    /// For what a Composition rendered, which Composition and XR it came from.
    static func origin(_ result: ResourceResult) -> String {
        // A failed render's message names its Composition and XR already.
        guard let origin = result.renderedFrom, !result.findings.contains(where: { $0.kind == .render }) else { return "" }
        return " (rendered by Composition \(origin.composition) from \(origin.compositeResourceFile))"
    }

    static func summaryLine(_ summary: ValidationReport.Summary) -> String {
        "Total \(summary.total) resources: \(summary.missingSchemas) missing schemas, \(summary.valid) success cases, \(summary.invalid) failure cases"
    }

    // MARK: - JSON

    private func json(_ report: ValidationReport) -> Value {
        let summary = report.summary
        var resources: [Value] = []
        for result in report.results {
            var entry = ValueObject()
            entry["apiVersion"] = .string(result.apiVersion)
            entry["kind"] = .string(result.kind)
            entry["name"] = .string(result.name)
            if !result.namespace.isEmpty { entry["namespace"] = .string(result.namespace) }
            entry["status"] = .string(result.status == .unreadable ? "invalid" : result.status.rawValue)
            entry["file"] = .string(result.file)
            if let position = result.position {
                entry["line"] = .int(Int64(position.line))
                entry["column"] = .int(Int64(position.column))
            }
            if let origin = result.renderedFrom {
                var rendered = ValueObject()
                rendered["composition"] = .string(origin.composition)
                rendered["compositeResourceFile"] = .string(origin.compositeResourceFile)
                rendered["compositeResourceName"] = .string(origin.compositeResourceName)
                entry["renderedFrom"] = .object(rendered)
            }
            if !result.findings.isEmpty {
                entry["errors"] = .array(result.findings.map { finding in
                    var error = ValueObject()
                    error["type"] = .string(finding.kind.rawValue)
                    if let field = finding.field { error["field"] = .string(field) }
                    error["message"] = .string(finding.message)
                    if let value = finding.value { error["value"] = value }
                    if let position = finding.position {
                        error["line"] = .int(Int64(position.line))
                        error["column"] = .int(Int64(position.column))
                    }
                    return .object(error)
                })
            }
            resources.append(.object(entry))
        }
        var summaryObject = ValueObject()
        summaryObject["total"] = .int(Int64(summary.total))
        summaryObject["valid"] = .int(Int64(summary.valid))
        summaryObject["invalid"] = .int(Int64(summary.invalid))
        summaryObject["missingSchemas"] = .int(Int64(summary.missingSchemas))
        var root = ValueObject()
        root["summary"] = .object(summaryObject)
        root["resources"] = .array(resources)
        return .object(root)
    }

    // MARK: - GitHub Actions

    private func github(_ report: ValidationReport) -> String {
        var out = ""
        for result in report.results {
            switch result.status {
            case .valid:
                continue
            case .missingSchema:
                let level = errorOnMissingSchemas ? "error" : "warning"
                out += annotation(level, result.file, result.position, "could not find CRD/XRD for: \(result.gvk)\(Self.origin(result))")
            case .invalid, .unreadable:
                for finding in result.findings {
                    let message = String(Self.line(result, finding).dropFirst(4)) + Self.origin(result)
                    out += annotation("error", result.file, finding.position ?? result.position, message)
                }
            }
        }
        out += Self.summaryLine(report.summary) + "\n"
        return out
    }

    private func annotation(_ level: String, _ file: String, _ position: SourcePosition?, _ message: String) -> String {
        var properties = "file=\(Self.escapeProperty(file))"
        if let position { properties += ",line=\(position.line),col=\(position.column)" }
        return "::\(level) \(properties)::\(Self.escapeData(message))\n"
    }

    /// GitHub's workflow-command escaping for the message part.
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Properties additionally escape the separators `:` and `,`.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// Indented JSON in the shape Go's `json.MarshalIndent(v, "", "  ")` writes.
enum PrettyJSON {
    static func render(_ value: Value) -> String {
        var out = ""
        write(value, indent: "", into: &out)
        return out
    }

    private static func write(_ value: Value, indent: String, into out: inout String) {
        let inner = indent + "  "
        switch value {
        case .array(let items):
            guard !items.isEmpty else { out += "[]"; return }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                write(item, indent: inner, into: &out)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let object):
            guard !object.isEmpty else { out += "{}"; return }
            out += "{\n"
            for (index, (key, member)) in object.enumerated() {
                out += inner
                ValueJSON.writeString(key, into: &out)
                out += ": "
                write(member, indent: inner, into: &out)
                out += index == object.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        default:
            ValueJSON.write(value, into: &out, sortKeys: false)
        }
    }
}
