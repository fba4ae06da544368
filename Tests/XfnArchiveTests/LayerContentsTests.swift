import Foundation
import Testing
import XfnArchive

@Suite struct LayerContentsTests {
    private func packageLayer(_ fixture: Fixture, compression: TarWriter.Compression = .gzip) throws -> LayerFile {
        try fixture.layer("package", compression: compression) { tar in
            try tar.file("README.md", "readme")
            try tar.file("package.yaml", "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\n")
            try tar.directory("crds")
            try tar.file("crds/a.yaml", "kind: CustomResourceDefinition\n")
            try tar.symlink("link.yaml", to: "package.yaml")
        }
    }

    @Test func readsOneFileIntoMemory() async throws {
        let fixture = try Fixture()
        let layer = try packageLayer(fixture)
        let bytes = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: 1 << 20)
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\n")
        let nested = try await LayerContents.readFile("./crds/a.yaml", from: layer, maxBytes: 1 << 20)
        #expect(nested.map { String(decoding: $0, as: UTF8.self) } == "kind: CustomResourceDefinition\n")
        #expect(fixture.scratch.listing(fixture.work) == [], "nothing is written to disk")
    }

    @Test func readsFromAZstdLayer() async throws {
        let fixture = try Fixture()
        let layer = try packageLayer(fixture, compression: .zstd)
        let bytes = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: 1 << 20)
        #expect(bytes?.count == "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\n".utf8.count)
    }

    @Test func missingFileIsNil() async throws {
        let fixture = try Fixture()
        let layer = try packageLayer(fixture)
        let bytes = try await LayerContents.readFile("missing.yaml", from: layer, maxBytes: 1 << 20)
        #expect(bytes == nil)
    }

    @Test func capIsEnforced() async throws {
        let fixture = try Fixture()
        let layer = try packageLayer(fixture)
        let exact = "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\n".utf8.count
        let fits = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: exact)
        #expect(fits?.count == exact)
        let error = await #expect(throws: ArchiveError.self) {
            _ = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: exact - 1)
        }
        #expect(error?.kind == .fileTooLarge)
        #expect(error?.message.contains("layer package") == true)
        #expect(error?.message.contains("entry \"package.yaml\"") == true)
    }

    @Test func capStopsAHugeDeclaredFileBeforeReadingIt() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("zeros") { tar in try tar.zeros("package.yaml", size: 32 << 20) }
        let error = await #expect(throws: ArchiveError.self) {
            _ = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: 1 << 20)
        }
        #expect(error?.kind == .fileTooLarge)
    }

    @Test func nonRegularFilesAreRefused() async throws {
        let fixture = try Fixture()
        let layer = try packageLayer(fixture)
        for path in ["crds", "link.yaml"] {
            let error = await #expect(throws: ArchiveError.self) {
                _ = try await LayerContents.readFile(path, from: layer, maxBytes: 1 << 20)
            }
            #expect(error?.kind == .notARegularFile)
        }
    }

    @Test func lastOccurrenceWins() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("twice") { tar in
            try tar.file("package.yaml", "first")
            try tar.file("./package.yaml", "second")
        }
        let bytes = try await LayerContents.readFile("package.yaml", from: layer, maxBytes: 100)
        #expect(bytes.map { String(decoding: $0, as: UTF8.self) } == "second")
    }

    @Test func listsEntries() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("listing") { tar in
            try tar.directory("bin")
            try tar.file("bin/sh", "elf", mode: 0o4755)
            try tar.hardlink("bin/bash", to: "bin/sh")
            try tar.symlink("sh", to: "bin/sh")
            try tar.fifo("pipe")
        }
        let entries = try await LayerContents.list(layer)
        #expect(entries.map(\.path) == ["bin/", "bin/sh", "bin/bash", "sh", "pipe"])
        #expect(entries.map(\.kind) == [.directory, .file, .hardlink, .symlink, .fifo])
        #expect(entries[1].size == 3)
        #expect(entries[1].permissions == 0o4755)
        #expect(entries[2].linkTarget == "bin/sh")
        #expect(entries[3].linkTarget == "bin/sh")
        #expect(entries[1].modificationTime == Int64(TarWriter.defaultTime))
    }

    @Test func corruptLayerErrorNamesTheLayer() async throws {
        let fixture = try Fixture()
        let path = fixture.layers + "/garbage"
        try Data("this is not a tar stream at all, not even close".utf8).write(to: URL(fileURLWithPath: path))
        let error = await #expect(throws: ArchiveError.self) {
            _ = try await LayerContents.list(LayerFile(path: path, name: "sha256:garbage"))
        }
        #expect(error?.kind == .corrupt)
        #expect(error?.message.contains("layer sha256:garbage") == true)
    }
}
