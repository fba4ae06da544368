import Foundation

/// AWS Signature Version 4 for one request with a body, as ECR's JSON API needs it.
struct SigV4 {
    let credentials: AWSCredentials
    let region: String
    let service: String

    /// Headers to add (Authorization, X-Amz-Date, X-Amz-Security-Token) for `method url` with `headers` and `body`.
    func sign(method: String, url: URL, headers: [(name: String, value: String)], body: Data, date: Date = Date())
        -> [(name: String, value: String)]
    {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: date)
        let day = String(amzDate.prefix(8))
        var host = url.host ?? ""
        if let port = url.port { host += ":\(port)" }
        var signed: [(String, String)] = headers.map { ($0.name.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) }
        signed.append(("host", host))
        signed.append(("x-amz-date", amzDate))
        var extra: [(name: String, value: String)] = [("X-Amz-Date", amzDate)]
        if let token = credentials.sessionToken {
            signed.append(("x-amz-security-token", token))
            extra.append(("X-Amz-Security-Token", token))
        }
        signed.sort { $0.0 < $1.0 }
        let signedHeaders = signed.map(\.0).joined(separator: ";")
        let path = url.path.isEmpty ? "/" : url.path
        let canonical = [
            method, path, url.query ?? "",
            signed.map { "\($0.0):\($0.1)\n" }.joined(), signedHeaders, Crypto.sha256Hex(body),
        ].joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Crypto.sha256Hex(Data(canonical.utf8))].joined(separator: "\n")
        var key = Crypto.hmacSHA256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), day)
        key = Crypto.hmacSHA256(key: key, region)
        key = Crypto.hmacSHA256(key: key, service)
        key = Crypto.hmacSHA256(key: key, "aws4_request")
        let signature = Crypto.hex(Crypto.hmacSHA256(key: key, stringToSign))
        extra.append(("Authorization",
                      "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return extra
    }
}
