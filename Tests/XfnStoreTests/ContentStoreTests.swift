import Foundation
import Testing
import XfnCore
import XfnOCI
@testable import XfnStore

@Suite struct ContentStoreTests {
    let root: String
    let store: ContentStore

    init() throws {
        root = FileManager.default.temporaryDirectory.path + "/xfn-store-\(UUID().uuidString)"
        store = try ContentStore(root: root)
    }

    func descriptor(for data: Data) -> Descriptor {
        Descriptor(mediaType: MediaType.ociLayerGzip, digest: SHA256Hasher.digest(data), size: Int64(data.count))
    }

    func randomData(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255) }) }

    func feed(_ writer: IngestWriter, _ data: Data) throws {
        try data.withUnsafeBytes { try writer.write($0) }
    }

    @Test func createsAnOCILayout() throws {
        let layout = try ValueJSON.parse(try Data(contentsOf: URL(fileURLWithPath: root + "/oci-layout")))
        #expect(layout["imageLayoutVersion"] == "1.0.0")
        #expect(try store.readIndex().manifests.isEmpty)
    }

    @Test func commitsVerifiedBlobsReadOnly() throws {
        let data = randomData(100_000)
        let blob = descriptor(for: data)
        let writer = try store.ingest(blob)
        try feed(writer, data.prefix(40_000))
        try feed(writer, data.dropFirst(40_000))
        try store.commit(writer)
        let path = store.blobPath(blob.digest)
        #expect(store.hasBlob(blob))
        #expect(try store.data(of: blob.digest) == data)
        let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(permissions == 0o444)
        #expect(!FileManager.default.fileExists(atPath: root + "/ingest/" + blob.digest.hex))
    }

    @Test func rejectsWrongDigestAndKeepsNothing() throws {
        let data = randomData(1000)
        var tampered = data
        tampered[500] ^= 0xFF
        let blob = descriptor(for: data)
        let writer = try store.ingest(blob)
        try feed(writer, tampered)
        #expect {
            try store.commit(writer)
        } throws: { error in
            (error as? StoreError)?.kind == .digestMismatch
        }
        #expect(!store.hasBlob(blob.digest))
        #expect(!FileManager.default.fileExists(atPath: root + "/ingest/" + blob.digest.hex + "/data"))
    }

    @Test func refusesBytesBeyondTheDeclaredSize() throws {
        let data = randomData(1000)
        let blob = Descriptor(mediaType: MediaType.ociLayer, digest: SHA256Hasher.digest(data), size: 999)
        let writer = try store.ingest(blob)
        #expect {
            try feed(writer, data)
        } throws: { error in
            (error as? StoreError)?.kind == .sizeExceeded
        }
    }

    @Test func truncatedDownloadIsNotCommitted() throws {
        let data = randomData(1000)
        let blob = descriptor(for: data)
        let writer = try store.ingest(blob)
        try feed(writer, data.prefix(10))
        #expect {
            try store.commit(writer)
        } throws: { error in
            (error as? StoreError)?.kind == .sizeMismatch
        }
        #expect(!store.hasBlob(blob.digest))
    }

    @Test func resumesAPartialIngest() throws {
        let data = randomData(50_000)
        let blob = descriptor(for: data)
        do {
            let first = try store.ingest(blob)
            try feed(first, data.prefix(20_000))
        }
        let second = try store.ingest(blob)
        #expect(second.bytesWritten == 20_000)
        try feed(second, data.dropFirst(20_000))
        try store.commit(second)
        #expect(try store.data(of: blob.digest) == data)
    }

    @Test func restartDropsWhatWasWritten() throws {
        let data = randomData(5000)
        let blob = descriptor(for: data)
        let writer = try store.ingest(blob)
        try feed(writer, randomData(3000))
        try writer.restart()
        #expect(writer.bytesWritten == 0)
        try feed(writer, data)
        try store.commit(writer)
        #expect(store.hasBlob(blob))
    }

    @Test func putChecksSmallBlobs() throws {
        let data = Data("{}".utf8)
        try store.put(data, as: descriptor(for: data))
        #expect(throws: StoreError.self) {
            try store.put(Data("{ }".utf8), as: Descriptor(mediaType: "x", digest: SHA256Hasher.digest("other"), size: 3))
        }
    }

    @Test func damagedBlobsAreDetectedOnReadAndRemovedByVerify() throws {
        let data = randomData(2000)
        let blob = descriptor(for: data)
        try store.put(data, as: blob)
        let good = Data("kept".utf8)
        try store.put(good, as: descriptor(for: good))
        let path = store.blobPath(blob.digest)
        chmod(path, 0o644)
        var damaged = data
        damaged[0] ^= 1
        try damaged.write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { try store.data(of: blob.digest) }
        try Data("stray".utf8).write(to: URL(fileURLWithPath: root + "/blobs/sha256/not-a-digest"))
        let report = try store.verifyAll()
        #expect(report.strays == [root + "/blobs/sha256/not-a-digest"])
        #expect(report.checked == 2)
        #expect(report.removed == [blob.digest])
        #expect(!store.hasBlob(blob.digest))
        #expect(store.hasBlob(SHA256Hasher.digest(good)))
    }

    @Test func recordsReferencesInIndexAndRefs() async throws {
        let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(String(repeating: "1", count: 64))","size":1},"layers":[]}"#.utf8)
        let descriptor = descriptor(for: manifest)
        try store.put(manifest, as: descriptor)
        let record = ReferenceRecord(reference: "127.0.0.1:5000/lab/fn:v1", digest: descriptor.digest, mediaType: MediaType.ociManifest,
                                     manifest: descriptor.digest, manifestSize: descriptor.size, platform: "linux/amd64", resolvedAt: Date())
        try await store.record(record)
        try await store.record(record)
        let index = try store.readIndex()
        #expect(index.manifests.count == 1)
        #expect(index.manifests[0].annotations?[Descriptor.refNameAnnotation] == "127.0.0.1:5000/lab/fn:v1")
        #expect(try store.record(for: "127.0.0.1:5000/lab/fn:v1")?.digest == descriptor.digest)
        #expect(try store.record(for: "127.0.0.1:5000/lab/fn:v2") == nil)
        #expect(try store.records().count == 1)
        // A damaged record is an error, not a cache miss.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.recordPath(for: "127.0.0.1:5000/lab/fn:v1")))
        #expect(throws: StoreError.self) { try store.record(for: "127.0.0.1:5000/lab/fn:v1") }
    }

    @Test func blobLockIsExclusiveAcrossHolders() async throws {
        let digest = SHA256Hasher.digest("locked")
        let first = try await store.lock(digest)
        let acquiredSecond = Task { () -> Date in
            let lock = try await store.lock(digest)
            withExtendedLifetime(lock) {}
            return Date()
        }
        try await Task.sleep(for: .milliseconds(200))
        let released = Date()
        withExtendedLifetime(first) {}
        _ = consume first
        let secondTime = try await acquiredSecond.value
        #expect(secondTime >= released)
    }
}
