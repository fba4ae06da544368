import Foundation
import Synchronization
import Testing
@testable import XfnArchive
import XfnCore

@Suite struct LayerStackTests {
    @Test func regularTreeIsExtractedWithModesTimesAndLinks() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("base") { tar in
            try tar.directory("usr")
            try tar.directory("usr/bin", mode: 0o750)
            try tar.file("usr/bin/tool", "#!/bin/sh\necho hi\n", mode: 0o755)
            try tar.hardlink("usr/bin/tool-alias", to: "usr/bin/tool")
            try tar.symlink("tool", to: "usr/bin/tool")
            try tar.symlink("dangling", to: "/does/not/exist")
            try tar.file("implicit/parent/file", "made without directory entries")
        }
        let summary = try await fixture.unpack([layer])
        #expect(summary.files == 2)
        #expect(summary.hardlinks == 1)
        #expect(summary.symlinks == 2)
        #expect(summary.directories == 2)
        #expect(summary.bytes == Int64("#!/bin/sh\necho hi\n".utf8.count + "made without directory entries".utf8.count))

        let tree = try TreeSnapshot(fixture.destination)
        #expect(tree.nodes["usr/bin"] == .directory(mode: 0o750))
        #expect(tree.nodes["implicit/parent"] == .directory(mode: 0o755))
        #expect(tree.nodes["tool"] == .symlink(target: "usr/bin/tool"))
        #expect(tree.nodes["dangling"] == .symlink(target: "/does/not/exist"))
        guard case .file(let mode, let contents, let group)? = tree.nodes["usr/bin/tool-alias"] else {
            Issue.record("tool-alias missing: \(tree)")
            return
        }
        #expect(mode == 0o755)
        #expect(String(decoding: contents, as: UTF8.self) == "#!/bin/sh\necho hi\n")
        #expect(group == "usr/bin/tool")

        var info = stat()
        #expect(lstat(fixture.destination + "/usr/bin/tool", &info) == 0)
        #expect(Int(info.st_mtim.tv_sec) == TarWriter.defaultTime)
        #expect(lstat(fixture.destination + "/usr/bin", &info) == 0)
        #expect(Int(info.st_mtim.tv_sec) == TarWriter.defaultTime, "directory times are set after their children")
        #expect(lstat(fixture.destination + "/tool", &info) == 0)
        #expect(Int(info.st_mtim.tv_sec) == TarWriter.defaultTime, "symlink times are set without following")
        fixture.expectSentinelUntouched()
        #expect(fixture.scratch.listing(fixture.work) == ["rootfs"])
    }

    @Test func laterEntriesReplaceEarlierOnes() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("lower") { tar in
            try tar.directory("was-dir")
            try tar.file("was-dir/child", "child")
            try tar.file("was-file", "file")
            try tar.symlink("was-link", to: "somewhere")
            try tar.file("same", "old")
            try tar.directory("nested")
            try tar.file("nested/same", "old")
            try tar.directory("nested/was-dir")
        }
        let upper = try fixture.layer("upper") { tar in
            try tar.file("was-dir", "now a file")
            try tar.directory("was-file")
            try tar.file("was-link", "now a file too")
            try tar.file("same", "new")
            try tar.file("same", "newest")
            try tar.file("nested/same", "new")
            try tar.file("nested/was-dir", "file")
            try tar.file("nested/after", "after")
        }
        _ = try await fixture.unpack([lower, upper])
        #expect(try fixture.contents("was-dir") == "now a file")
        #expect(fixture.lstatMode("was-file").map { $0 & 0o170000 } == 0o040000)
        #expect(try fixture.contents("was-link") == "now a file too")
        #expect(fixture.lstatMode("was-link").map { $0 & 0o170000 } == 0o100000)
        #expect(try fixture.contents("same") == "newest")
        #expect(try fixture.contents("nested/same") == "new")
        #expect(try fixture.contents("nested/was-dir") == "file")
        #expect(try fixture.contents("nested/after") == "after")
    }

    /// A directory replaced by a symlink or a file must not stay reachable through a cached handle.
    @Test func writingBelowAReplacedDirectoryIsRejected() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("lower") { tar in
            try tar.file("usr/bin/tool", "tool")
            try tar.file("opt/bin/tool", "tool")
        }
        let viaSymlink = try fixture.layer("via-symlink") { tar in
            try tar.symlink("usr", to: "elsewhere")
            try tar.file("usr/bin/x", "x")
        }
        await fixture.expectRejected([lower, viaSymlink], kind: .symlinkInPath, layer: "via-symlink", entry: "usr/bin/x")
        let viaFile = try fixture.layer("via-file") { tar in
            try tar.file("opt", "now a file")
            try tar.file("opt/bin/x", "x")
        }
        await fixture.expectRejected([lower, viaFile], kind: .notADirectory, layer: "via-file", entry: "opt/bin/x")
    }

    @Test func whiteoutsApplyToLowerLayersOnly() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("lower") { tar in
            try tar.directory("d")
            try tar.file("d/old", "old")
            try tar.file("d/gone", "gone")
            try tar.directory("o")
            try tar.file("o/lower", "lower")
            try tar.directory("o/sub")
            try tar.file("o/sub/lower", "lower")
        }
        let upper = try fixture.layer("upper") { tar in
            try tar.file("d/new", "new")
            try tar.file("d/.wh.new", "")  // same layer: does not hide d/new
            try tar.file("d/.wh.gone", "")
            try tar.file("d/.wh.never-existed", "")
            try tar.file("o/sub/upper", "upper")
            try tar.file("o/.wh..wh..opq", "")  // written after upper content on purpose
        }
        let summary = try await fixture.unpack([lower, upper])
        let tree = try TreeSnapshot(fixture.destination)
        #expect(Set(tree.nodes.keys) == ["d", "d/old", "d/new", "o", "o/sub", "o/sub/upper"], "\(tree)")
        #expect(summary.whiteouts == 3)
        #expect(summary.opaqueDirectories == 1)
    }

    @Test func whiteoutThroughASymlinkIsRejected() async throws {
        let fixture = try Fixture()
        let lower = try fixture.layer("lower") { tar in
            try tar.symlink("out", to: "../../sentinel")
        }
        let upper = try fixture.layer("upper") { tar in
            try tar.file("out/.wh.file", "")
        }
        await fixture.expectRejected([lower, upper], kind: .symlinkInPath, layer: "upper", entry: "out/.wh.file")
    }

    @Test func whiteoutOfASymlinkRemovesTheLinkNotItsTarget() async throws {
        let fixture = try Fixture()
        let sentinel = fixture.sentinel
        let lower = try fixture.layer("lower") { tar in
            try tar.symlink("out", to: sentinel)
        }
        let upper = try fixture.layer("upper") { tar in
            try tar.file(".wh.out", "")
        }
        _ = try await fixture.unpack([lower, upper])
        #expect(!fixture.exists("out"))
        fixture.expectSentinelUntouched()
    }

    @Test func existingDestinationIsLeftAlone() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("base") { tar in try tar.file("file", "new") }
        try FileManager.default.createDirectory(atPath: fixture.destination, withIntermediateDirectories: false)
        try "old".write(toFile: fixture.destination + "/file", atomically: false, encoding: .utf8)
        let outcome = try await LayerUnpacker.unpack([layer], into: fixture.destination)
        #expect(outcome == .alreadyPresent)
        #expect(try fixture.contents("file") == "old")
        #expect(fixture.scratch.listing(fixture.work) == ["rootfs"])
    }

    @Test func failureInALaterLayerLeavesNoPartialTree() async throws {
        let fixture = try Fixture()
        let good = try fixture.layer("good") { tar in
            for index in 0..<20 { try tar.file("dir\(index % 3)/file\(index)", "content \(index)") }
        }
        let bad = try fixture.layer("bad") { tar in
            try tar.file("fine", "fine")
            try tar.file("/etc/evil", "evil")
        }
        await fixture.expectRejected([good, bad], kind: .pathEscapes, layer: "bad", entry: "/etc/evil")
    }

    @Test func durableUnpackSucceeds() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("base") { tar in try tar.file("file", "data") }
        _ = try await fixture.unpack([layer], options: ExtractionOptions(durable: true))
        #expect(try fixture.contents("file") == "data")
    }

    @Test(arguments: [TarWriter.Compression.gzip, .zstd, .none])
    func compressionIsDetected(_ compression: TarWriter.Compression) async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("layer", compression: compression) { tar in
            try tar.directory("etc")
            try tar.file("etc/config", "compressed \(compression)")
        }
        let reader = try ArchiveReader(path: layer.path, layer: layer.name)
        _ = try reader.nextEntry()
        let expected = switch compression {
        case .gzip: "gzip"
        case .zstd: "zstd"
        case .none: "none"
        }
        #expect(reader.filterName == expected)
        _ = try await fixture.unpack([layer])
        #expect(try fixture.contents("etc/config") == "compressed \(compression)")
    }

    @Test func progressReportsCompressedBytesPerLayer() async throws {
        let fixture = try Fixture()
        var generator = SystemRandomNumberGenerator()
        let noise = (0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let first = try fixture.layer("first") { tar in try tar.file("noise", noise) }
        let second = try fixture.layer("second") { tar in try tar.file("small", "small") }
        let events = Mutex<[ProgressEvent]>([])
        _ = try await fixture.unpack([first, second]) { event in
            events.withLock { $0.append(event) }
        }
        let recorded = events.withLock { $0 }

        for layer in [first, second] {
            let size = try #require(FileManager.default.attributesOfItem(atPath: layer.path)[.size] as? Int)
            let started = recorded.contains { if case .started(layer.name, _, Int64(size)) = $0 { true } else { false } }
            let finished = recorded.contains { if case .finished(layer.name, false) = $0 { true } else { false } }
            let advanced = recorded.reduce(Int64(0)) { total, event in
                if case .advanced(layer.name, let bytes) = event { total + bytes } else { total }
            }
            #expect(started && finished)
            #expect(advanced > 0 && advanced <= Int64(size))
        }
        let firstAdvances = recorded.filter { if case .advanced("first", _) = $0 { true } else { false } }.count
        #expect(firstAdvances >= 2, "a 3 MiB layer reports more than once")
    }

    @Test func cancellationStopsTheUnpack() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("big") { tar in
            for index in 0..<20_000 { try tar.file("f/\(index)", "x") }
        }
        let destination = fixture.destination
        let task = Task {
            try await LayerUnpacker.unpack([layer], into: destination, options: ExtractionOptions(durable: false))
        }
        task.cancel()
        let error = await #expect(throws: ArchiveError.self) { try await task.value }
        #expect(error?.kind == .cancelled)
        fixture.expectNothingLeft()
    }
}
