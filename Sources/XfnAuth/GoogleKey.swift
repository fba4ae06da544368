import Foundation
import XfnCore

/// A Google service-account key (the JSON file `gcloud iam service-accounts keys create` writes), checked
/// before it is sent anywhere: Google answers a damaged key with a bare 401, so xfn says locally what
/// is wrong with it.
public struct GoogleServiceAccountKey: Sendable {
    public let clientEmail: String
    public let privateKeyPEM: String
    public let privateKeyID: String?
    public let tokenURI: String
    public let projectID: String?

    public static let defaultTokenURI = "https://oauth2.googleapis.com/token"

    /// Parses and checks `text` (the raw file); `origin` names where it came from, for messages.
    public init(json text: String, origin: String) throws(GoogleKeyError) {
        let document: Value
        do { document = try ValueJSON.parse(text) } catch let error as ValueJSON.SyntaxError {
            throw GoogleKeyError(origin: origin, problem: Self.explainSyntaxError(text: text, error: error.message))
        } catch {
            throw GoogleKeyError(origin: origin, problem: "it is not valid JSON")
        }
        guard case .object(let fields) = document else {
            throw GoogleKeyError(origin: origin, problem: "it is JSON but not an object; a key file is one JSON object")
        }
        if let type = fields["type"]?.stringValue, type != "service_account" {
            throw GoogleKeyError(origin: origin, problem: "its \"type\" is \"\(type)\", not \"service_account\"; only service-account keys work with _json_key")
        }
        guard let email = fields["client_email"]?.stringValue, !email.isEmpty else {
            throw GoogleKeyError(origin: origin, problem: "it has no \"client_email\"; is this really a service-account key file?")
        }
        guard let pem = fields["private_key"]?.stringValue, !pem.isEmpty else {
            throw GoogleKeyError(origin: origin, problem: "it has no \"private_key\"")
        }
        guard pem.contains("-----BEGIN") && pem.contains("PRIVATE KEY-----") else {
            throw GoogleKeyError(origin: origin, problem: "\"private_key\" is not a PEM private key (no -----BEGIN PRIVATE KEY----- line)")
        }
        if !pem.contains("\n") {
            let literal = pem.contains("\\n")
            throw GoogleKeyError(
                origin: origin,
                problem: literal
                    ? "\"private_key\" holds the two characters \\n where line breaks belong: the key was escaped twice (for example pasted into a double-quoted string that was escaped again)"
                    : "\"private_key\" has no line breaks, so it is not a PEM block any more")
        }
        do { _ = try RSASigner(pem: pem) } catch {
            throw GoogleKeyError(origin: origin, problem: "\"private_key\" is PEM but \(error); the key text was altered")
        }
        clientEmail = email
        privateKeyPEM = pem
        privateKeyID = fields["private_key_id"]?.stringValue
        tokenURI = fields["token_uri"]?.stringValue ?? Self.defaultTokenURI
        projectID = fields["project_id"]?.stringValue
    }

    /// The password of a `_json_key_base64` login: base64 of the key file, possibly wrapped at 76 columns.
    public init(base64 text: String, origin: String) throws(GoogleKeyError) {
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) ?? Data(base64Encoded: Self.padded(compact)) else {
            throw GoogleKeyError(origin: origin, problem: "the _json_key_base64 password is not base64 (encode the key file with `base64 -w0 key.json`)")
        }
        guard let json = String(data: data, encoding: .utf8) else {
            throw GoogleKeyError(origin: origin, problem: "the _json_key_base64 password decodes to bytes that are not text")
        }
        try self.init(json: json, origin: origin + " (decoded from base64)")
    }

    private static func padded(_ text: String) -> String {
        let remainder = text.count % 4
        return remainder == 0 ? text : text + String(repeating: "=", count: 4 - remainder)
    }

    /// The usual damage: a TOML or shell double-quoted string turned the key's `\n` escapes into real
    /// line breaks, which JSON forbids inside strings.
    static func explainSyntaxError(text: String, error: String) -> String {
        if let range = text.range(of: "\"private_key\""), text[range.upperBound...].prefix(4000).contains("-----BEGIN") {
            let afterKey = text[range.upperBound...]
            if let end = afterKey.range(of: "-----END"), afterKey[..<end.lowerBound].contains("\n") {
                return "it is not valid JSON (\(error)): \"private_key\" contains real line breaks where the file has \\n escapes, which happens when the key is pasted into a TOML or shell double-quoted string; use the user name _json_key_base64 with `base64 -w0 key.json`, or a single-quoted (literal) string holding `jq -c . key.json`"
            }
        }
        return "it is not valid JSON (\(error))"
    }

    /// Checks the password of a Google magic user name; nil when the user name is not one of them.
    public static func validate(username: String, password: String, origin: String) throws(GoogleKeyError) {
        switch username {
        case "_json_key": _ = try GoogleServiceAccountKey(json: password, origin: origin)
        case "_json_key_base64": _ = try GoogleServiceAccountKey(base64: password, origin: origin)
        case "oauth2accesstoken":
            if password.trimmingCharacters(in: .whitespaces).hasPrefix("{") {
                throw GoogleKeyError(origin: origin, problem: "the oauth2accesstoken password is a JSON document; for a key file use the user name _json_key")
            }
        default: return
        }
    }
}

public struct GoogleKeyError: XfnError {
    public let origin: String
    public let problem: String

    public init(origin: String, problem: String) {
        self.origin = origin
        self.problem = problem
    }

    public var message: String { "the Google service-account key from \(origin) is unusable: \(problem)" }
    public var hint: String? {
        "xfn checked the key locally and sent nothing; download a fresh key with `gcloud iam service-accounts keys create key.json --iam-account=NAME@PROJECT.iam.gserviceaccount.com` or pass the file with --gcp-key-file"
    }
    public var exitCode: ExitStatus { .registry }
}
