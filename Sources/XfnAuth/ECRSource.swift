import Foundation
import XfnCore
import XfnHTTP

/// An ECR registry host: `ACCOUNT.dkr.ecr[-fips].REGION.SUFFIX[:port]` or `public.ecr.aws`.
public struct ECRHost: Sendable, Equatable {
    public let account: String?
    public let region: String
    public let fips: Bool
    public let suffix: String
    public let isPublic: Bool

    static let suffixes = [
        "amazonaws.com", "amazonaws.com.cn", "amazonaws.eu", "on.aws", "on.amazonwebservices.com.cn",
        "sc2s.sgov.gov", "c2s.ic.gov", "cloud.adc-e.uk", "csp.hci.ic.gov",
    ]

    public init?(registry: String) {
        var host = registry.lowercased()
        if let scheme = host.range(of: "://") { host = String(host[scheme.upperBound...]) }
        host = String(host.prefix { $0 != "/" })
        if let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) { host = String(host[..<colon]) }
        if host == "public.ecr.aws" || host == "ecr-public.aws.com" {
            self.account = nil
            self.region = "us-east-1"
            self.fips = false
            self.suffix = "amazonaws.com"
            self.isPublic = true
            return
        }
        let labels = host.split(separator: ".", maxSplits: 3).map(String.init)
        guard labels.count == 4, labels[0].count == 12, labels[0].allSatisfy(\.isNumber) else { return nil }
        // `dkr.ecr` (or dual-stack `dkr-ecr`), optionally `-fips`, then the region and a known suffix.
        let service: String, rest: String
        if labels[1] == "dkr" {
            let remainder = labels[2] + "." + labels[3]
            guard remainder.hasPrefix("ecr.") || remainder.hasPrefix("ecr-fips.") else { return nil }
            let parts = remainder.split(separator: ".", maxSplits: 1).map(String.init)
            service = parts[0]
            rest = parts.count > 1 ? parts[1] : ""
        } else if labels[1] == "dkr-ecr" || labels[1] == "dkr-ecr-fips" {
            service = labels[1] == "dkr-ecr" ? "ecr" : "ecr-fips"
            rest = labels[2] + "." + labels[3]
        } else {
            return nil
        }
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let region = String(rest[..<dot])
        let suffix = String(rest[rest.index(after: dot)...])
        guard Self.suffixes.contains(suffix), !region.isEmpty,
              region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        else { return nil }
        self.account = labels[0]
        self.region = region
        self.fips = service == "ecr-fips"
        self.suffix = suffix
        self.isPublic = false
    }

    /// The API endpoint AWS SDKs use for `GetAuthorizationToken`.
    func apiEndpoint(environment: Environment) -> String {
        if isPublic {
            return environment["AWS_ENDPOINT_URL_ECR_PUBLIC"] ?? environment["AWS_ENDPOINT_URL"] ?? "https://api.ecr-public.us-east-1.amazonaws.com/"
        }
        if let override = environment["AWS_ENDPOINT_URL_ECR"] ?? environment["AWS_ENDPOINT_URL"] { return override }
        if fips { return "https://ecr-fips.\(region).\(suffix)/" }
        if suffix == "on.aws" { return "https://api.ecr.\(region).api.aws/" }
        return "https://api.ecr.\(region).\(suffix)/"
    }
}

/// ECR's own credential: `GetAuthorizationToken` signed with the caller's AWS keys, its 12-hour token
/// kept in the xfn cache directory until half its life is gone; without AWS keys, the ECR helper or the
/// aws CLI when either is installed.
public struct ECRCredentialSource: CredentialSource {
    let environment: Environment
    let http: HTTPClient
    let cacheDirectory: String?

    public init(environment: Environment, http: HTTPClient, cacheDirectory: String?) {
        self.environment = environment
        self.http = http
        self.cacheDirectory = cacheDirectory
    }

    public var name: String { "ecr" }

    struct Token: Sendable {
        let username: String
        let password: String
        let issuedAt: Date
        let expiresAt: Date?
    }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        // Other registries are not this source's business, and say nothing in the trace.
        guard let host = ECRHost(registry: registry) else { return nil }
        let kind = host.isPublic ? "ECR Public" : "account \(host.account ?? "?"), region \(host.region)\(host.fips ? ", FIPS" : "")"
        trace.record(name, .info, "\(registry) is ECR (\(kind))")
        // Dual-stack registry hosts have their partition's usual STS host.
        let partition = host.suffix == "on.amazonwebservices.com.cn" ? "amazonaws.com.cn" : host.suffix == "on.aws" ? "amazonaws.com" : host.suffix
        // public.ecr.aws serves anonymous pulls; without configured keys, xfn goes anonymous at once.
        let chain = AWSCredentialChain(environment: environment, http: http)
        guard let keys = await chain.resolve(region: host.region, partitionSuffix: partition, instanceSources: !host.isPublic, trace: &trace) else {
            if host.isPublic {
                trace.record(name, .noMatch, "no AWS keys configured; public.ecr.aws images pull anonymously")
                return nil
            }
            return await fallback(host: host, registry: registry, trace: &trace)
        }
        let cachePath = cacheFile(registry: registry, accessKeyID: keys.accessKeyID)
        if let cachePath, let cached = Self.readCache(cachePath), Self.isFresh(cached) {
            trace.record(name, .matched, "cached ECR token from \(cachePath) (issued \(cached.issuedAt), refreshed after half its life)")
            return Credential(secret: .basic(username: cached.username, password: cached.password), source: "ECR token cache \(cachePath)")
        }
        let endpoint = host.apiEndpoint(environment: environment)
        do {
            let token = try await getAuthorizationToken(host: host, endpoint: endpoint, keys: keys)
            trace.record(name, .matched, "GetAuthorizationToken at \(endpoint) with \(keys.source) keys → user 'AWS'" +
                         (token.expiresAt.map { ", expires \($0)" } ?? ""))
            if let cachePath, let expires = token.expiresAt, expires > Date() {
                do { try Self.writeCache(token, to: cachePath) } catch {
                    trace.record(name, .info, "could not cache the token at \(cachePath): \(error)")
                }
            }
            return Credential(secret: .basic(username: token.username, password: token.password), source: "ECR GetAuthorizationToken (\(keys.source))")
        } catch {
            trace.record(name, .failed, "GetAuthorizationToken at \(endpoint) with \(keys.source) keys: \(error)")
            if let cachePath, let stale = Self.readCache(cachePath), (stale.expiresAt ?? .distantPast) > Date() {
                trace.record(name, .matched, "using the still-valid cached token from \(cachePath)")
                return Credential(secret: .basic(username: stale.username, password: stale.password), source: "ECR token cache \(cachePath)")
            }
            return nil
        }
    }

    private func getAuthorizationToken(host: ECRHost, endpoint: String, keys: AWSCredentials) async throws -> Token {
        guard let url = URL(string: endpoint) else { throw AWSCredentialChain.Failure(description: "'\(endpoint)' is not a URL") }
        let target = host.isPublic ? "SpencerFrontendService.GetAuthorizationToken" : "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
        let body = Data((host.account.map { #"{"registryIds":["\#($0)"]}"# } ?? "{}").utf8)
        let headers: [(name: String, value: String)] = [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)]
        let signer = SigV4(credentials: keys, region: host.region, service: host.isPublic ? "ecr-public" : "ecr")
        let signed = signer.sign(method: "POST", url: url, headers: headers, body: body)
        let response = try await http.send(HTTPRequest(method: "POST", url: endpoint, headers: headers + signed, body: body, timeout: .seconds(30)),
                                           bodyLimit: 256 << 10)
        let document = try? ValueJSON.parse(response.body)
        guard response.isSuccess else {
            let type = document?["__type"]?.stringValue.map { String($0.split(separator: "#").last ?? Substring($0)) } ?? "HTTP \(response.status)"
            let message = document?["message"]?.stringValue ?? document?["Message"]?.stringValue ?? ResponseSummary.text(of: response.body)
            var text = "\(type): \(message)"
            if type.contains("Signature") || message.lowercased().contains("signature expired") { text += " (check this machine's clock)" }
            throw AWSCredentialChain.Failure(description: text)
        }
        let data: Value? = host.isPublic ? document?["authorizationData"] : document?["authorizationData"]?.arrayValue?.first
        guard let encoded = data?["authorizationToken"]?.stringValue, let decodedData = Data(base64Encoded: encoded),
              let decoded = String(data: decodedData, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        else { throw AWSCredentialChain.Failure(description: "the answer has no usable authorizationToken") }
        let expires = data?["expiresAt"]?.numberValue.map { Date(timeIntervalSince1970: $0) }
        return Token(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]),
                     issuedAt: Date(), expiresAt: expires)
    }

    /// Without AWS keys: `docker-credential-ecr-login`, then `aws ecr get-login-password`.
    private func fallback(host: ECRHost, registry: String, trace: inout AuthTrace) async -> Credential? {
        let helper = CredentialHelper(name: "ecr-login", environment: environment, timeout: .seconds(60))
        switch await helper.get(serverURL: registry) {
        case .found(let username, let secret):
            trace.record(name, .matched, "\(helper.programName) get \(registry) → exit 0, user \(Credential.usernameClass(username))")
            return CredentialHelper.credential(username: username, secret: secret, source: helper.programName)
        case .missing: trace.record(name, .skipped, "\(helper.programName) is not on PATH")
        case .notFound: trace.record(name, .noMatch, "\(helper.programName) get \(registry) → credentials not found (it hides the reason; its stderr says more)")
        case .failed(let detail): trace.record(name, .failed, "\(helper.programName) get \(registry) → \(detail)")
        }
        guard !host.isPublic, let aws = ChildProcess.find("aws", environment: environment) else {
            trace.record(name, .skipped, "the aws CLI is not on PATH")
            return nil
        }
        do {
            let result = try await aws.run(["ecr", "get-login-password", "--region", host.region], input: Data(), environment: environment,
                                           timeout: .seconds(60))
            guard result.status == 0, !result.timedOut, !result.stdoutText.isEmpty else {
                trace.record(name, .failed, "aws ecr get-login-password --region \(host.region) → exit \(result.status): \(CredentialHelper.firstLine(result.stderrText))")
                return nil
            }
            trace.record(name, .matched, "aws ecr get-login-password --region \(host.region) → exit 0, user 'AWS'")
            return Credential(secret: .basic(username: "AWS", password: result.stdoutText), source: "aws ecr get-login-password")
        } catch {
            trace.record(name, .failed, "aws ecr get-login-password: \(error)")
            return nil
        }
    }

    // MARK: cache

    private func cacheFile(registry: String, accessKeyID: String) -> String? {
        guard let cacheDirectory, environment["XFN_ECR_DISABLE_CACHE"] == nil else { return nil }
        let key = SHA256Hasher.digest("\(registry)\u{0}\(accessKeyID)").hex.prefix(32)
        return "\(cacheDirectory)/auth/ecr-\(key).json"
    }

    /// Valid during the first half of its life, as the ECR helper does, so a long pull never starts
    /// with a token about to expire.
    static func isFresh(_ token: Token, now: Date = Date()) -> Bool {
        guard let expires = token.expiresAt else { return false }
        let half = token.issuedAt.addingTimeInterval(expires.timeIntervalSince(token.issuedAt) / 2)
        return now < half
    }

    static func readCache(_ path: String) -> Token? {
        guard let data = FileManager.default.contents(atPath: path), case .object(let fields)? = try? ValueJSON.parse(data),
              let username = fields["username"]?.stringValue, let password = fields["password"]?.stringValue,
              let issued = fields["issuedAt"]?.numberValue, let expires = fields["expiresAt"]?.numberValue
        else { return nil }
        return Token(username: username, password: password, issuedAt: Date(timeIntervalSince1970: issued),
                     expiresAt: Date(timeIntervalSince1970: expires))
    }

    static func writeCache(_ token: Token, to path: String) throws {
        let record: Value = [
            "username": .string(token.username), "password": .string(token.password),
            "issuedAt": .double(token.issuedAt.timeIntervalSince1970),
            "expiresAt": .double(token.expiresAt?.timeIntervalSince1970 ?? 0),
        ]
        try PrivateFile.write(Data(ValueJSON.serialize(record).utf8), to: path)
    }
}

/// Writes secrets: parent directory 0700, file 0600 from its first byte, replaced atomically.
enum PrivateFile {
    static func write(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = "\(directory)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw PrivateFileError(path: path, detail: String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { buffer in Foundation.write(descriptor, buffer.baseAddress, buffer.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            throw PrivateFileError(path: path, detail: "short write")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw PrivateFileError(path: path, detail: reason)
        }
    }
}

public struct PrivateFileError: XfnError {
    public let path: String
    public let detail: String
    public var message: String { "cannot write \(path): \(detail)" }
    public var hint: String? { "check that the directory is writable by you" }
    public var exitCode: ExitStatus { .registry }
}

/// ECR passwords are base64 of a JSON envelope whose `expiration` (Unix seconds) says when the 12-hour
/// token ends, so a stale login can be recognised without asking the registry.
enum ECRTokenCheck {
    static func expiry(of credential: Credential, registry: String) -> Date? {
        guard case .basic("AWS", let password) = credential.secret, ECRHost(registry: registry) != nil,
              let data = Data(base64Encoded: password, options: .ignoreUnknownCharacters),
              let expiration = (try? ValueJSON.parse(data))?["expiration"]?.numberValue
        else { return nil }
        return Date(timeIntervalSince1970: expiration)
    }
}
