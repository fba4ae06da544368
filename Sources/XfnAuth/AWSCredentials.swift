import Foundation
import XfnCore
import XfnHTTP

/// Keys that sign AWS API requests, and where they were found (never the keys themselves in messages).
struct AWSCredentials: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String?
    let source: String
}

/// The AWS SDK's default credential chain, in its order: environment keys, web identity from the
/// environment, the shared profile (static keys, web identity, credential_process), container
/// credentials, then IMDSv2.
struct AWSCredentialChain: Sendable {
    let environment: Environment
    let http: HTTPClient

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `partitionSuffix` places STS in the right partition (`amazonaws.com.cn`, …); `instanceSources`
    /// false leaves out the container endpoint and IMDS, whose timeouts anonymous pulls should not pay.
    func resolve(region: String, partitionSuffix: String = "amazonaws.com", instanceSources: Bool = true, trace: inout AuthTrace) async -> AWSCredentials? {
        let label = "aws credentials"
        if let key = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"] {
            trace.record(label, .matched, "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY\(environment["AWS_SESSION_TOKEN"] != nil ? " with AWS_SESSION_TOKEN" : "")")
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"], source: "environment")
        }
        trace.record(label, .noMatch, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set")
        if let tokenFile = environment["AWS_WEB_IDENTITY_TOKEN_FILE"], let role = environment["AWS_ROLE_ARN"] {
            return await webIdentity(tokenFile: tokenFile, role: role, sessionName: environment["AWS_ROLE_SESSION_NAME"],
                                     origin: "web identity token", region: region, suffix: partitionSuffix, trace: &trace)
        }
        let profileName = environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default"
        let credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? environment.home + "/.aws/credentials"
        let configPath = environment["AWS_CONFIG_FILE"] ?? environment.home + "/.aws/config"
        var profile: [String: String] = [:]
        if let text = Self.readIfPresent(configPath, label: label, trace: &trace) {
            let sections = INIFile.parse(text)
            profile = sections[profileName == "default" ? "default" : "profile \(profileName)"] ?? sections[profileName] ?? [:]
        }
        if let text = Self.readIfPresent(credentialsPath, label: label, trace: &trace) {
            profile.merge(INIFile.parse(text)[profileName] ?? [:]) { _, fromCredentials in fromCredentials }
        }
        if let key = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] {
            trace.record(label, .matched, "profile \(profileName) in \(credentialsPath) / \(configPath): static keys")
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: profile["aws_session_token"],
                                  source: "profile \(profileName)")
        }
        if let tokenFile = profile["web_identity_token_file"], let role = profile["role_arn"] {
            return await webIdentity(tokenFile: tokenFile, role: role, sessionName: profile["role_session_name"],
                                     origin: "profile \(profileName): web identity token", region: region, suffix: partitionSuffix,
                                     trace: &trace)
        }
        if let command = profile["credential_process"] {
            do {
                let found = try await credentialProcess(command)
                trace.record(label, .matched, "profile \(profileName): credential_process")
                return found
            } catch {
                trace.record(label, .failed, "profile \(profileName): credential_process: \(error)")
                return nil
            }
        }
        if profile.isEmpty {
            trace.record(label, .noMatch, "no profile \(profileName) in \(credentialsPath) or \(configPath)")
        } else {
            let keys = profile.keys.sorted().joined(separator: ", ")
            trace.record(label, .noMatch, "profile \(profileName) has no keys xfn can use directly (\(keys)); for SSO profiles xfn falls back to the aws CLI")
        }
        guard instanceSources else {
            trace.record(label, .skipped, "container credentials and instance metadata are not consulted for this registry")
            return nil
        }
        if environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] != nil || environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] != nil {
            do {
                let found = try await containerCredentials()
                trace.record(label, .matched, "container credentials endpoint")
                return found
            } catch {
                trace.record(label, .failed, "container credentials endpoint: \(error)")
                return nil
            }
        }
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            trace.record(label, .skipped, "instance metadata (IMDS) disabled by AWS_EC2_METADATA_DISABLED")
            return nil
        }
        do {
            let found = try await instanceMetadata()
            trace.record(label, .matched, "instance metadata (IMDSv2) role credentials")
            return found
        } catch {
            trace.record(label, .noMatch, "instance metadata (IMDSv2): \(error)")
            return nil
        }
    }

    /// A file's text; a missing file is normal, one that exists but cannot be read is noted in the trace.
    private static func readIfPresent(_ path: String, label: String, trace: inout AuthTrace) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            trace.record(label, .failed, "cannot read \(path): \(error.localizedDescription)")
            return nil
        }
    }

    /// A web identity token exchanged with `sts:AssumeRoleWithWebIdentity`; `origin` words the trace.
    private func webIdentity(tokenFile: String, role: String, sessionName: String?, origin: String, region: String,
                             suffix: String, trace: inout AuthTrace) async -> AWSCredentials? {
        do {
            let found = try await assumeRoleWithWebIdentity(tokenFile: tokenFile, roleARN: role, sessionName: sessionName,
                                                            region: region, suffix: suffix)
            trace.record("aws credentials", .matched, "\(origin) \(tokenFile) → sts:AssumeRoleWithWebIdentity for \(role)")
            return found
        } catch {
            trace.record("aws credentials", .failed, "\(origin) \(tokenFile) for \(role): \(error)")
            return nil
        }
    }

    private func assumeRoleWithWebIdentity(tokenFile: String, roleARN: String, sessionName: String?, region: String,
                                           suffix: String) async throws -> AWSCredentials {
        guard let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw Failure(description: "cannot read \(tokenFile) (in a non-root container the projected token may be unreadable)")
        }
        let endpoint = environment["AWS_ENDPOINT_URL_STS"] ?? environment["AWS_ENDPOINT_URL"] ?? "https://sts.\(region).\(suffix)"
        let fields = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName ?? "xfn-\(Int(Date().timeIntervalSince1970))"),
            ("WebIdentityToken", token.trimmingCharacters(in: .whitespacesAndNewlines)),
        ]
        let body = fields.map { "\($0.0)=\(TokenService.formEncode($0.1))" }.joined(separator: "&")
        let response = try await http.send(
            HTTPRequest(method: "POST", url: endpoint.hasSuffix("/") ? endpoint : endpoint + "/",
                        headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8), timeout: .seconds(30)),
            bodyLimit: 256 << 10)
        let text = String(decoding: response.body, as: UTF8.self)
        guard response.isSuccess else {
            throw Failure(description: "STS answered HTTP \(response.status): \(XMLText.element("Code", in: text) ?? "") \(XMLText.element("Message", in: text) ?? "")")
        }
        guard let key = XMLText.element("AccessKeyId", in: text), let secret = XMLText.element("SecretAccessKey", in: text) else {
            throw Failure(description: "STS answered without AccessKeyId/SecretAccessKey")
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: XMLText.element("SessionToken", in: text),
                              source: "web identity \(roleARN)")
    }

    private func credentialProcess(_ command: String) async throws -> AWSCredentials {
        guard let shell = ChildProcess.find("/bin/sh", environment: environment) else { throw Failure(description: "no /bin/sh") }
        let result = try await shell.run(["-c", command], input: Data(), environment: environment, timeout: .seconds(60))
        guard result.status == 0, !result.timedOut else {
            throw Failure(description: "exit status \(result.status): \(CredentialHelper.firstLine(result.stderrText))")
        }
        return try Self.parseJSONCredentials(result.stdout, source: "credential_process")
    }

    private func containerCredentials() async throws -> AWSCredentials {
        let url = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
            ?? "http://169.254.170.2" + (environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] ?? "")
        var headers: [(name: String, value: String)] = []
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], let token = try? String(contentsOfFile: file, encoding: .utf8) {
            headers.append(("Authorization", token.trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"] {
            headers.append(("Authorization", token))
        }
        let response = try await http.send(HTTPRequest(url: url, headers: headers, timeout: .seconds(5)), bodyLimit: 64 << 10)
        guard response.isSuccess else { throw Failure(description: "HTTP \(response.status) from \(url)") }
        return try Self.parseJSONCredentials(response.body, source: "container credentials")
    }

    private func instanceMetadata() async throws -> AWSCredentials {
        let base = (environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] ?? "http://169.254.169.254").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let tokenResponse = try await http.send(
            HTTPRequest(method: "PUT", url: base + "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")],
                        body: Data(), timeout: .seconds(2)), bodyLimit: 4096)
        guard tokenResponse.isSuccess else { throw Failure(description: "no session token (HTTP \(tokenResponse.status))") }
        let session = String(decoding: tokenResponse.body, as: UTF8.self)
        let headers: [(name: String, value: String)] = [("X-aws-ec2-metadata-token", session)]
        let rolePath = base + "/latest/meta-data/iam/security-credentials/"
        let roles = try await http.send(HTTPRequest(url: rolePath, headers: headers, timeout: .seconds(2)), bodyLimit: 4096)
        guard roles.isSuccess, let role = String(decoding: roles.body, as: UTF8.self).split(separator: "\n").first else {
            throw Failure(description: "the instance has no IAM role (HTTP \(roles.status))")
        }
        let keys = try await http.send(HTTPRequest(url: rolePath + role, headers: headers, timeout: .seconds(2)), bodyLimit: 64 << 10)
        guard keys.isSuccess else { throw Failure(description: "HTTP \(keys.status) for role \(role)") }
        return try Self.parseJSONCredentials(keys.body, source: "instance role \(role)")
    }

    static func parseJSONCredentials(_ data: Data, source: String) throws -> AWSCredentials {
        guard case .object(let fields)? = try? ValueJSON.parse(data),
              let key = fields["AccessKeyId"]?.stringValue, let secret = fields["SecretAccessKey"]?.stringValue
        else { throw Failure(description: "the answer has no AccessKeyId/SecretAccessKey") }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret,
                              sessionToken: fields["Token"]?.stringValue ?? fields["SessionToken"]?.stringValue, source: source)
    }
}

/// `~/.aws/credentials` and `~/.aws/config`: `[section]` headers and `key = value` lines.
enum INIFile {
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}

/// The text of the first `<name>…</name>` element; STS answers in XML and xfn needs three fields.
enum XMLText {
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return String(text[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
