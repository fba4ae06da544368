import Foundation
import XfnCore
import XfnHTTP

/// The registry answered, but not with what was asked for. Carries the distribution error codes
/// (`MANIFEST_UNKNOWN`, `DENIED`, …) so the message says what happened in words.
public struct RegistryError: XfnError {
    public struct Detail: Sendable {
        public let code: String
        public let message: String
    }

    public let status: Int
    public let operation: String
    public let details: [Detail]
    public let bodySummary: String

    public init(status: Int, operation: String, body: Data) {
        self.status = status
        self.operation = operation
        var details: [Detail] = []
        if let document = try? ValueJSON.parse(body), let errors = document["errors"]?.arrayValue {
            for error in errors {
                details.append(Detail(code: error["code"]?.stringValue ?? "", message: error["message"]?.stringValue ?? ""))
            }
        }
        self.details = details
        self.bodySummary = ResponseSummary.text(of: body)
    }

    public var codes: [String] { details.map(\.code) }

    public var message: String {
        let what: String
        if let first = details.first {
            let explained = Self.explanations[first.code] ?? first.code.lowercased().replacingOccurrences(of: "_", with: " ")
            what = first.message.isEmpty || first.message.lowercased() == explained ? explained : "\(explained) (\(first.message))"
        } else {
            what = status == 404 ? "not found" : "HTTP \(status): \(bodySummary)"
        }
        return "\(operation): \(what)"
    }

    public var hint: String? {
        switch codes.first ?? "" {
        case "MANIFEST_UNKNOWN": "check that the tag exists; `xfn inspect` on a known tag lists what the repository has"
        case "NAME_UNKNOWN": "check the repository path; registries answer this for names they do not have"
        case "BLOB_UNKNOWN": "the registry lost content its manifest names; push the image again"
        case "TOOMANYREQUESTS": "the registry is rate-limiting; wait, or log in for a higher limit"
        default: status == 404 ? "check the reference for typos" : nil
        }
    }

    public var exitCode: ExitStatus { .registry }

    static let explanations = [
        "MANIFEST_UNKNOWN": "manifest unknown",
        "NAME_UNKNOWN": "repository name not known to registry",
        "BLOB_UNKNOWN": "blob unknown to registry",
        "DIGEST_INVALID": "provided digest did not match uploaded content",
        "UNAUTHORIZED": "authentication required",
        "DENIED": "requested access to the resource is denied",
        "TOOMANYREQUESTS": "too many requests",
        "UNSUPPORTED": "the operation is unsupported",
    ]
}

/// Content that arrived but is not what its digest or size promised.
public struct ContentMismatchError: XfnError {
    public let what: String
    public let expected: String
    public let actual: String

    public init(what: String, expected: String, actual: String) {
        self.what = what
        self.expected = expected
        self.actual = actual
    }

    public var message: String { "\(what) does not match: expected \(expected), got \(actual)" }
    public var hint: String? { "the registry or something between it and you altered the content; nothing was stored. Try again; if it persists, report it to the registry's operator" }
    public var exitCode: ExitStatus { .registry }
}
