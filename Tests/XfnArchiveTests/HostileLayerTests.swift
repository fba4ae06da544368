import Foundation
import Testing
@testable import XfnArchive

/// Layers built to break out of the root or exhaust the disk. Each must be refused (or defused)
/// with an error that names the layer and the entry, leaving nothing behind.
@Suite struct HostileLayerTests {
    @Test func parentDirectoryEscapeIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("dotdot") { tar in
            try tar.file("ok", "fine")
            try tar.file("../escape", "gotcha")
        }
        await fixture.expectRejected([layer], kind: .pathEscapes, layer: "dotdot", entry: "../escape")
    }

    @Test func nestedParentReferenceIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("nested") { tar in
            try tar.directory("a")
            try tar.file("a/../../sentinel/file", "overwritten")
        }
        await fixture.expectRejected([layer], kind: .pathEscapes, layer: "nested", entry: "a/../../sentinel/file")
    }

    @Test func absolutePathIsRejected() async throws {
        let fixture = try Fixture()
        let target = fixture.sentinel + "/file"
        let layer = try fixture.layer("absolute") { tar in
            try tar.file(target, "overwritten")
        }
        await fixture.expectRejected([layer], kind: .pathEscapes, layer: "absolute", entry: target)
    }

    /// `link -> <outside>` then `link/file`: the classic symlink-then-write escape. The link points
    /// at the sentinel rather than /etc so that a regression cannot damage the machine running it.
    @Test func writingThroughAnAbsoluteSymlinkIsRejected() async throws {
        let fixture = try Fixture()
        let sentinel = fixture.sentinel
        let layer = try fixture.layer("symlink-escape") { tar in
            try tar.symlink("link", to: sentinel)
            try tar.file("link/file", "overwritten")
        }
        let error = await fixture.expectRejected([layer], kind: .symlinkInPath, layer: "symlink-escape", entry: "link/file")
        #expect(error?.hint != nil)
    }

    @Test func writingThroughASymlinkFromALowerLayerIsRejected() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("lower") { tar in
            try tar.symlink("etc", to: "../../sentinel")
        }
        let upper = try fixture.layer("upper") { tar in
            try tar.file("etc/file", "overwritten")
        }
        await fixture.expectRejected([lower, upper], kind: .symlinkInPath, layer: "upper", entry: "etc/file")
    }

    @Test func symlinkChainEscapeIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("chain") { tar in
            try tar.symlink("a", to: "b")
            try tar.symlink("b", to: "../..")
            try tar.file("a/x", "overwritten")
        }
        await fixture.expectRejected([layer], kind: .symlinkInPath, layer: "chain", entry: "a/x")
    }

    @Test func hardlinkToAnAbsoluteTargetIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("hardlink-abs") { tar in
            try tar.hardlink("passwd", to: "/etc/passwd")
        }
        let error = await fixture.expectRejected([layer], kind: .pathEscapes, layer: "hardlink-abs", entry: "passwd")
        #expect(error?.message.contains("/etc/passwd") == true)
    }

    @Test func hardlinkOutsideTheRootIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("hardlink-rel") { tar in
            try tar.hardlink("stolen", to: "../../sentinel/file")
        }
        await fixture.expectRejected([layer], kind: .pathEscapes, layer: "hardlink-rel", entry: "stolen")
    }

    @Test func hardlinkThroughASymlinkIsRejected() async throws {
        let fixture = try Fixture()
        let sentinel = fixture.sentinel
        let layer = try fixture.layer("hardlink-via-symlink") { tar in
            try tar.symlink("out", to: sentinel)
            try tar.hardlink("stolen", to: "out/file")
        }
        await fixture.expectRejected([layer], kind: .symlinkInPath, layer: "hardlink-via-symlink", entry: "stolen")
    }

    @Test func hardlinkToAMissingTargetIsRejected() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("hardlink-missing") { tar in
            try tar.hardlink("link", to: "not/there")
        }
        await fixture.expectRejected([layer], kind: .badHardlink, layer: "hardlink-missing", entry: "link")
    }

    @Test func devicesAndFIFOsAreSkippedAndCounted() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("specials") { tar in
            try tar.directory("dev")
            try tar.characterDevice("dev/null", major: 1, minor: 3)
            try tar.characterDevice("dev/sda", major: 8, minor: 0)
            try tar.fifo("dev/pipe")
            try tar.file("dev/regular", "kept")
        }
        let summary = try await fixture.unpack([layer])
        #expect(summary.skippedDevices == 2)
        #expect(summary.skippedFIFOs == 1)
        #expect(summary.skippedTotal == 3)
        #expect(summary.skipped.map(\.path) == ["dev/null", "dev/sda", "dev/pipe"])
        #expect(summary.skipped.allSatisfy { $0.layer == "specials" })
        #expect(!fixture.exists("dev/null"))
        #expect(!fixture.exists("dev/sda"))
        #expect(!fixture.exists("dev/pipe"))
        #expect(try fixture.contents("dev/regular") == "kept")
    }

    @Test func setuidSetgidAndStickyBitsAreCleared() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("special-bits") { tar in
            try tar.file("suid", "#!/bin/sh\n", mode: 0o4755)
            try tar.file("sgid", "#!/bin/sh\n", mode: 0o2711)
            try tar.directory("shared", mode: 0o2775)
            try tar.directory("tmp", mode: 0o1777)
            try tar.file("plain", "x", mode: 0o640)
        }
        let summary = try await fixture.unpack([layer])
        #expect(fixture.lstatMode("suid").map { $0 & 0o7777 } == 0o755)
        #expect(fixture.lstatMode("sgid").map { $0 & 0o7777 } == 0o711)
        #expect(fixture.lstatMode("shared").map { $0 & 0o7777 } == 0o775)
        #expect(fixture.lstatMode("tmp").map { $0 & 0o7777 } == 0o777)
        #expect(fixture.lstatMode("plain").map { $0 & 0o7777 } == 0o640)
        #expect(summary.clearedSpecialBits == 4)
    }

    /// Real zeros, gzip-compressed: a small layer that inflates to far more than the limit allows.
    @Test func gzipBombIsStoppedByTheByteLimit() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("bomb") { tar in
            try tar.file("small", "x")
            for index in 0..<4 {
                try tar.zeros("zeros-\(index)", size: 16 << 20)
            }
        }
        let compressed = try FileManager.default.attributesOfItem(atPath: layer.path)[.size] as? Int ?? 0
        #expect(compressed < 1 << 20, "64 MiB of zeros should compress to well under 1 MiB")
        let options = ExtractionOptions(limits: ExtractionLimits(maxTotalBytes: 40 << 20), durable: false)
        let error = await fixture.expectRejected([layer], kind: .decompressionBomb, layer: "bomb", entry: "zeros-2",
                                                 options: options)
        #expect(error?.message.contains("decompression bomb") == true)
    }

    /// A gzip layer whose single entry declares 10 GiB: the default limits refuse it at the header,
    /// before inflating any of it.
    @Test func defaultLimitCatchesTenGigabytes() async throws {
        let fixture = try Fixture()
        let tarPath = fixture.layers + "/huge.tar"
        let writer = try TarWriter(path: tarPath, compression: .none)
        try writer.file("hello", "world")
        try writer.declaredOnly("huge.bin", size: 10 << 30)
        writer.abandon()
        let gzipPath = fixture.layers + "/huge.tar.gz"
        try TarWriter.gzip(tarPath, to: gzipPath)
        #expect(ExtractionLimits.default.maxTotalBytes < 10 << 30)
        // The layer declares 10 GiB but carries none of it: only the header check can refuse it.
        let error = await fixture.expectRejected([LayerFile(path: gzipPath, name: "huge")], kind: .decompressionBomb,
                                                 layer: "huge", entry: "huge.bin")
        #expect(error?.message.contains("\(Int64(10) << 30)") == true)
    }

    @Test func entryCountLimitIsEnforced() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("many") { tar in
            for index in 0..<50 { try tar.file("f\(index)", "") }
        }
        let options = ExtractionOptions(limits: ExtractionLimits(maxEntries: 20), durable: false)
        let error = await fixture.expectRejected([layer], kind: .decompressionBomb, layer: "many", entry: "f20",
                                                 options: options)
        #expect(error?.message.contains("20 entries") == true)
    }

    @Test func truncatedGzipIsReported() async throws {
        let fixture = try Fixture()
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(256 << 10)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let layer = try fixture.layer("truncated") { tar in
            try tar.file("a", noise)
            try tar.file("b", noise)
        }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: layer.path))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size / 2)
        try handle.close()
        let error = await fixture.expectRejected([layer], kind: .corrupt, layer: "truncated", entry: nil)
        #expect(error?.hint != nil)
    }

    @Test func corruptTarHeaderIsReported() async throws {
        let fixture = try Fixture()
        let tarPath = fixture.layers + "/corrupt.tar"
        _ = try makeLayer(tarPath, compression: .none) { tar in
            try tar.file("first", [UInt8](repeating: 65, count: 512))
            try tar.file("second", "second")
        }
        // pax_restricted writes plain ustar headers for short names: header, 512 data bytes, then
        // the second header at 1024. Scribble over its name and checksum.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: tarPath)))
        #expect(String(decoding: bytes[1024..<1030], as: UTF8.self) == "second")
        for index in 1024..<1024 + 100 { bytes[index] = 0x7f }
        for index in 1024 + 148..<1024 + 156 { bytes[index] = UInt8(ascii: "9") }
        try Data(bytes).write(to: URL(fileURLWithPath: tarPath))
        let gzipPath = fixture.layers + "/corrupt.tar.gz"
        try TarWriter.gzip(tarPath, to: gzipPath)
        let error = await fixture.expectRejected([LayerFile(path: gzipPath, name: "corrupt")], kind: .corrupt,
                                                 layer: "corrupt", entry: nil)
        #expect(error?.message.contains("damaged") == true || error?.message.contains("Damaged") == true)
    }

    @Test func missingLayerFileIsReported() async throws {
        let fixture = try Fixture()
        await fixture.expectRejected([LayerFile(path: fixture.layers + "/nope.tar.gz", name: "sha256:abc")],
                                     kind: .cannotOpen, layer: "sha256:abc", entry: nil)
    }
}

/// Very deep trees: extraction walks them without following links, removal unwinds them (on a
/// whiteout or when cleaning up after an error), and paths longer than PATH_MAX are refused.
@Suite struct DeepTreeTests {
    /// Deep enough to matter for recursive removal, shallow enough to keep debug builds quick.
    private static let deepPath = Array(repeating: "d", count: 600).joined(separator: "/") + "/file"

    @Test func deepTreeIsExtractedAndWhitedOut() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("deep") { tar in try tar.file(Self.deepPath, "bottom") }
        let upper = try fixture.layer("whiteout") { tar in
            try tar.file(".wh.d", "")
            try tar.file("kept", "kept")
        }
        _ = try await fixture.unpack([lower])
        #expect(try fixture.contents(Self.deepPath) == "bottom")
        try FileManager.default.removeItem(atPath: fixture.destination)
        _ = try await fixture.unpack([lower, upper])
        #expect(fixture.scratch.listing(fixture.destination) == ["kept"])
    }

    @Test func overlongPathIsRefusedAndTheDeepTreeCleanedUp() async throws {
        let fixture = try Fixture()
        let tooLong = Array(repeating: "e", count: RootPath.maxLength / 2 + 10).joined(separator: "/")
        let layer = try fixture.layer("too-long") { tar in
            try tar.file(Self.deepPath, "bottom")
            try tar.file(tooLong, "never")
        }
        let error = await fixture.expectRejected([layer], kind: .pathTooLong, layer: "too-long", entry: nil)
        #expect(error?.message.contains("longer than 4096 bytes") == true)
    }
}
