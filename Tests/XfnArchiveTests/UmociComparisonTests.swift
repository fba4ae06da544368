import Foundation
import Testing
import XfnArchive

/// The same three layers, unpacked by xfn and by umoci, must give the same tree: whiteouts,
/// opaque directories, replaced files, hardlinks into lower layers, symlinks.
@Suite struct UmociComparisonTests {
    /// Writes each layer as a plain tar (for the diff ID) and as gzip (the blob).
    private func writeLayers(_ fixture: Fixture) throws -> [(tar: String, gzip: String)] {
        let layers: [(TarWriter) throws -> Void] = [
            { tar in
                try tar.directory("etc")
                try tar.file("etc/a.conf", "a from layer 1\n")
                try tar.file("etc/b.conf", "b from layer 1\n", mode: 0o600)
                try tar.directory("opt")
                try tar.file("opt/keep", "lower content of an opaque dir\n")
                try tar.directory("opt/sub", mode: 0o750)
                try tar.file("opt/sub/deep", "deep\n")
                try tar.directory("usr")
                try tar.directory("usr/bin")
                try tar.file("usr/bin/tool", "tool v1\n", mode: 0o755)
                try tar.hardlink("usr/bin/tool2", to: "usr/bin/tool")
                try tar.symlink("link", to: "etc/a.conf")
                try tar.directory("var")
                try tar.directory("var/lib")
                try tar.directory("var/lib/data")
                try tar.file("var/lib/data/x", "x\n")
                try tar.directory("srv")
                try tar.file("srv/index.html", "<html/>\n")
                try tar.directory("bin")
                try tar.file("bin/su", "setuid binary\n", mode: 0o4755)
            },
            { tar in
                try tar.directory("etc")
                try tar.file("etc/.wh.a.conf", "")
                try tar.file("etc/c.conf", "c from layer 2\n")
                try tar.directory("opt")
                try tar.file("opt/.wh..wh..opq", "")
                try tar.file("opt/new", "new in layer 2\n")
                try tar.directory("var")
                try tar.file("var/.wh.lib", "")
                try tar.file("srv", "srv is a file now\n", mode: 0o640)
                try tar.directory("usr")
                try tar.directory("usr/bin")
                try tar.file("usr/bin/tool", "tool v2\n", mode: 0o700)
            },
            { tar in
                try tar.file(".wh.link", "")
                try tar.directory("etc")
                try tar.file("etc/a.conf", "a again in layer 3\n")
                try tar.file("etc/.wh.c.conf", "")
                try tar.directory("opt")
                try tar.file("opt/.wh.new", "")
                try tar.file("opt/newer", "newer in layer 3\n")
                try tar.directory("usr")
                try tar.directory("usr/bin")
                try tar.hardlink("usr/bin/tool3", to: "usr/bin/tool")
                try tar.directory("home", mode: 0o755)
                try tar.directory("home/user", mode: 0o700)
                try tar.file("home/user/.profile", "export X=1\n")
                try tar.symlink("abs", to: "/usr/bin/tool")
                try tar.symlink("up", to: "../..")
            },
        ]
        return try layers.enumerated().map { index, body in
            let tar = try makeLayer(fixture.layers + "/layer\(index).tar", compression: .none, body)
            let gzip = fixture.layers + "/layer\(index).tar.gz"
            try TarWriter.gzip(tar, to: gzip)
            return (tar, gzip)
        }
    }

    @Test(.enabled(if: findExecutable("umoci") != nil, "needs umoci"))
    func threeLayersMatchUmociUnpack() async throws {
        let fixture = try Fixture()
        let layers = try writeLayers(fixture)

        let image = try fixture.scratch.makeDirectory("image")
        try OCILayoutBuilder(directory: image).write(tag: "test", layers: layers)
        let bundle = fixture.scratch.sub("bundle")
        var arguments = ["unpack", "--image", image + ":test", bundle]
        if geteuid() != 0 { arguments.insert("--rootless", at: 1) }
        let umoci = try run(findExecutable("umoci")!, arguments)
        try #require(umoci.status == 0, "umoci failed: \(umoci.output)")

        let stack = layers.enumerated().map { LayerFile(path: $1.gzip, name: "layer\($0)") }
        let summary = try await fixture.unpack(stack)
        #expect(summary.layers == 3)
        #expect(summary.whiteouts == 5)
        #expect(summary.opaqueDirectories == 1)

        let theirs = try TreeSnapshot(bundle + "/rootfs")
        if ProcessInfo.processInfo.environment["XFN_TEST_PRINT_TREES"] != nil { print(theirs) }
        let ours = try TreeSnapshot(fixture.destination)
        #expect(ours.nodes.count > 15)
        #expect(Set(ours.nodes.keys) == Set(theirs.nodes.keys), "ours:\n\(ours)\n\numoci:\n\(theirs)")
        for path in Set(ours.nodes.keys).intersection(theirs.nodes.keys).sorted() {
            #expect(ours.nodes[path] == theirs.nodes[path], "\(path): ours \(ours.nodes[path]!), umoci \(theirs.nodes[path]!)")
        }
        // Spot checks that make the comparison meaningful even if both tools were wrong alike.
        #expect(ours.nodes["etc/a.conf"] == .file(mode: 0o644, contents: Array("a again in layer 3\n".utf8), linkGroup: "etc/a.conf"))
        #expect(ours.nodes["opt/keep"] == nil && ours.nodes["opt/sub"] == nil && ours.nodes["opt/new"] == nil)
        #expect(ours.nodes["var/lib"] == nil && ours.nodes["link"] == nil && ours.nodes["etc/c.conf"] == nil)
        #expect(ours.nodes["bin/su"] == .file(mode: 0o755, contents: Array("setuid binary\n".utf8), linkGroup: "bin/su"))
    }
}
