/// A content digest `algorithm:hex`. xfn computes and stores only SHA-256, but parses the other
/// registered algorithms so it can say precisely why it rejects one.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    public let algorithm: String
    public let hex: String

    public struct ParseError: XfnError {
        public let text: String
        public let reason: String
        public var message: String { "invalid digest '\(text)': \(reason)" }
        public var hint: String? { "a digest looks like sha256: followed by 64 lowercase hexadecimal characters" }
        public var exitCode: ExitStatus { .usage }
    }

    public init(parsing text: String) throws {
        guard let colon = text.firstIndex(of: ":") else { throw ParseError(text: text, reason: "missing ':'") }
        let algorithm = String(text[..<colon])
        let hex = String(text[text.index(after: colon)...])
        guard !algorithm.isEmpty,
            algorithm.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "+._-".contains($0)) })
        else { throw ParseError(text: text, reason: "malformed algorithm") }
        switch algorithm {
        case "sha256":
            guard hex.count == 64 else { throw ParseError(text: text, reason: "sha256 needs 64 hex characters, found \(hex.count)") }
            guard hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw ParseError(text: text, reason: "sha256 hex must be lowercase 0-9a-f")
            }
        case "sha512":
            throw ParseError(text: text, reason: "sha512 digests are not supported; xfn verifies sha256 only")
        default:
            throw ParseError(text: text, reason: "unsupported algorithm '\(algorithm)'")
        }
        self.algorithm = algorithm
        self.hex = hex
    }

    public init(sha256Bytes bytes: [UInt8]) {
        precondition(bytes.count == 32)
        let digits = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(64)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        self.algorithm = "sha256"
        self.hex = String(decoding: hex, as: UTF8.self)
    }

    public var description: String { "\(algorithm):\(hex)" }

    /// Twelve characters, for progress lines and logs.
    public var short: String { String(hex.prefix(12)) }

    public static func < (lhs: Digest, rhs: Digest) -> Bool { lhs.description < rhs.description }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(parsing: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
