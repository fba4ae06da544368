import COpenSSL
import Foundation
import XfnCore

/// An RSA private key loaded from PEM, for RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256).
final class RSASigner: @unchecked Sendable {
    private let key: OpaquePointer

    struct KeyError: Error, CustomStringConvertible {
        let description: String
    }

    /// Loads a PKCS#8 or PKCS#1 PEM private key.
    init(pem: String) throws {
        let bytes = Array(pem.utf8)
        guard let bio = bytes.withUnsafeBytes({ BIO_new_mem_buf($0.baseAddress, Int32($0.count)) }) else {
            throw KeyError(description: "cannot allocate a buffer for the key")
        }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            ERR_clear_error()
            throw KeyError(description: "OpenSSL cannot read it as a PEM private key")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw KeyError(description: "the key is not an RSA key")
        }
        // A PEM whose base64 was edited can still decode; the RSA consistency check catches it.
        if let context = EVP_PKEY_CTX_new(key, nil) {
            defer { EVP_PKEY_CTX_free(context) }
            guard EVP_PKEY_check(context) == 1 else {
                ERR_clear_error()
                EVP_PKEY_free(key)
                throw KeyError(description: "OpenSSL reads it, but the RSA key's numbers do not fit together")
            }
        }
        self.key = key
    }

    deinit { EVP_PKEY_free(key) }

    func sign(_ message: Data) throws -> Data {
        guard let context = EVP_MD_CTX_new() else { throw KeyError(description: "cannot allocate a digest context") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            throw KeyError(description: "cannot start an RS256 signature")
        }
        var length = 0
        let bytes = Array(message)
        guard EVP_DigestSign(context, nil, &length, bytes, bytes.count) == 1 else {
            ERR_clear_error()
            throw KeyError(description: "cannot size the signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, bytes, bytes.count) == 1 else {
            ERR_clear_error()
            throw KeyError(description: "signing failed")
        }
        return Data(signature.prefix(length))
    }
}

/// HMAC-SHA256 and SHA-256 for SigV4.
enum Crypto {
    static func hmacSHA256(key: [UInt8], _ message: String) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let data = Array(message.utf8)
        _ = HMAC(EVP_sha256(), key, Int32(key.count), data, data.count, &out, &length)
        return Array(out.prefix(Int(length)))
    }

    static func sha256Hex(_ data: Data) -> String {
        SHA256Hasher.digest(data).hex
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
