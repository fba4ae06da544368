import Foundation
import XfnCore

extension ContentStore {
    public struct VerifyReport: Sendable {
        public var checked = 0
        public var bytes: Int64 = 0
        /// Blobs whose content did not match their name; removed.
        public var removed: [Digest] = []
        /// Files in `blobs/sha256` not named by a digest; removed.
        public var strays: [String] = []
    }

    /// Re-hashes every blob and removes those whose content does not match their name, so the next pull
    /// fetches them again. Runs on the calling thread; call it off the cooperative pool.
    public func verifyAll(progress: ProgressHandler? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        let directory = root + "/blobs/sha256"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let path = directory + "/" + name
            guard let expected = try? Digest(parsing: "sha256:" + name) else {
                // Anything not named by a digest does not belong here.
                guard unlink(path) == 0 else { throw FileError(path: path, operation: "remove", code: errno) }
                report.strays.append(path)
                continue
            }
            let (actual, size) = try SHA256Hasher.digest(fileAt: path)
            report.checked += 1
            report.bytes += size
            if actual != expected {
                guard unlink(path) == 0 else { throw FileError(path: path, operation: "remove", code: errno) }
                report.removed.append(expected)
                progress?(.note("removed \(expected): content hashes to \(actual)"))
            }
        }
        return report
    }
}
