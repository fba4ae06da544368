import COpenSSL
import Foundation

/// An RSA private key loaded from PEM that signs RS256 (PKCS#1 v1.5, SHA-256) and knows its libtrust
/// key id, which is how the Distribution registry matches a token's `kid` to a certificate.
final class RSASigningKey: @unchecked Sendable {
    private let key: OpaquePointer
    /// DER SubjectPublicKeyInfo of the public half.
    let publicKeyDER: [UInt8]
    let keyID: String

    init(pemFile path: String) throws {
        guard let bio = BIO_new_file(path, "r") else { throw TestSupportError("cannot open RSA key \(path)") }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw TestSupportError("\(path) holds no PEM private key")
        }
        self.key = key
        let length = i2d_PUBKEY(key, nil)
        guard length > 0 else {
            EVP_PKEY_free(key)
            throw TestSupportError("cannot encode the public key of \(path)")
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_PUBKEY(key, &cursor)
        }
        publicKeyDER = der
        keyID = Self.libtrustKeyID(spki: der)
    }

    deinit { EVP_PKEY_free(key) }

    func signRS256(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw TestSupportError("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            throw TestSupportError("EVP_DigestSignInit failed")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            throw TestSupportError("EVP_DigestSign (size) failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw TestSupportError("EVP_DigestSign failed")
        }
        return Array(signature.prefix(length))
    }

    /// base32 of the first 240 bits of SHA-256(SPKI), unpadded, in colon-separated groups of four.
    static func libtrustKeyID(spki: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        _ = EVP_Digest(spki, spki.count, &digest, &size, EVP_sha256(), nil)
        let encoded = base32(Array(digest.prefix(30)))
        var groups: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 4, limitedBy: encoded.endIndex) ?? encoded.endIndex
            groups.append(String(encoded[index..<end]))
            index = end
        }
        return groups.joined(separator: ":")
    }

    /// RFC 4648 base32 without padding.
    static func base32(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                out.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return out
    }
}

enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
