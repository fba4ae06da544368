import XfnValidate
import XfnYAML

/// A validation report as JUnit XML, the format CI systems chart: one testsuite per file, one
/// testcase per resource; findings are failures carrying their text and position, resources
/// without a schema are skipped (failures with --error-on-missing-schemas).
enum ValidationJUnit {
    static func render(_ report: ValidationReport, errorOnMissingSchemas: Bool) -> String {
        var files: [String] = []
        var byFile: [String: [ResourceResult]] = [:]
        for result in report.results {
            if byFile[result.file] == nil { files.append(result.file) }
            byFile[result.file, default: []].append(result)
        }
        func counts(_ results: [ResourceResult]) -> (failures: Int, skipped: Int) {
            var failures = 0, skipped = 0
            for result in results {
                switch result.status {
                case .valid: break
                case .invalid, .unreadable: failures += 1
                case .missingSchema: if errorOnMissingSchemas { failures += 1 } else { skipped += 1 }
                }
            }
            return (failures, skipped)
        }
        let total = counts(report.results)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"xfn validate\" tests=\"\(report.results.count)\" failures=\"\(total.failures)\" errors=\"0\" skipped=\"\(total.skipped)\">\n"
        for file in files {
            let results = byFile[file] ?? []
            let count = counts(results)
            out += "  <testsuite name=\"\(escape(file))\" tests=\"\(results.count)\" failures=\"\(count.failures)\" errors=\"0\" skipped=\"\(count.skipped)\">\n"
            for result in results {
                var name = result.gvk.description
                if !result.name.isEmpty { name += ", \(result.name)" }
                name += ValidationRenderer.origin(result)
                var attributes = "name=\"\(escape(name))\" classname=\"\(escape(file))\" file=\"\(escape(file))\""
                if let position = result.position { attributes += " line=\"\(position.line)\"" }
                switch result.status {
                case .valid:
                    out += "    <testcase \(attributes)/>\n"
                case .missingSchema:
                    let message = "could not find CRD/XRD for: \(result.gvk)"
                    let element = errorOnMissingSchemas ? "failure" : "skipped"
                    out += "    <testcase \(attributes)>\n"
                    out += "      <\(element) message=\"\(escape(message))\"\(errorOnMissingSchemas ? " type=\"missingSchema\"" : "")/>\n"
                    out += "    </testcase>\n"
                case .invalid, .unreadable:
                    out += "    <testcase \(attributes)>\n"
                    for finding in result.findings {
                        let line = ValidationRenderer.line(result, finding) + ValidationRenderer.origin(result)
                        let place = where_(file, finding.position ?? result.position)
                        out += "      <failure message=\"\(escape(finding.message))\" type=\"\(finding.kind.rawValue)\">\(escape(place + line))</failure>\n"
                    }
                    out += "    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    private static func where_(_ file: String, _ position: SourcePosition?) -> String {
        guard let position else { return "\(file): " }
        return "\(file):\(position.line):\(position.column): "
    }

    /// Escapes for attribute values and text alike; characters XML 1.0 cannot hold are replaced.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out += "&#\(scalar.value);"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
