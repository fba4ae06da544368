import COpenSSL
import Foundation

/// Incremental SHA-256 over OpenSSL's EVP interface, which uses the CPU's SHA extensions where present.
/// One owner: the EVP context lives and dies with this value.
public final class SHA256Hasher: @unchecked Sendable {
    private let context: OpaquePointer
    public private(set) var byteCount: Int64 = 0

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        self.context = context
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        EVP_DigestUpdate(context, base, buffer.count)
        byteCount += Int64(buffer.count)
    }

    public func update(_ data: Data) { data.withUnsafeBytes { update($0) } }

    public func update<S: StringProtocol>(_ text: S) {
        var copy = String(text)
        copy.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    /// The digest of everything seen so far; the hasher cannot be used afterwards.
    public func finalize() -> Digest {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return Digest(sha256Bytes: out)
    }

    public static func digest(_ data: Data) -> Digest {
        let hasher = SHA256Hasher()
        hasher.update(data)
        return hasher.finalize()
    }

    public static func digest(_ text: String) -> Digest { digest(Data(text.utf8)) }

    /// Hashes a file in 1 MiB reads; blocking, so call it off the cooperative pool for large files.
    public static func digest(fileAt path: String) throws -> (digest: Digest, size: Int64) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileError(path: path, operation: "open", code: errno)
        }
        defer { try? handle.close() }
        let hasher = SHA256Hasher()
        while true {
            let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { break }
            hasher.update(chunk)
        }
        return (hasher.finalize(), hasher.byteCount)
    }
}
