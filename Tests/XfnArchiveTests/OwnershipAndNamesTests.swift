import Foundation
import Testing
import XfnArchive

@Suite struct OwnershipAndNamesTests {
    private func ownedLayer(_ fixture: Fixture) throws -> LayerFile {
        try fixture.layer("owned") { tar in
            tar.owner = (1234, 5678)
            try tar.directory("home")
            try tar.file("home/file", "data")
            try tar.symlink("home/link", to: "file")
        }
    }

    private func owner(_ path: String) -> (UInt32, UInt32)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid)
    }

    @Test(.enabled(if: geteuid() == 0, "only root can give files away"))
    func rootKeepsNumericOwners() async throws {
        let fixture = try Fixture()
        _ = try await fixture.unpack([try ownedLayer(fixture)])
        for path in ["home", "home/file", "home/link"] {
            let found = owner(fixture.destination + "/" + path)
            #expect(found?.0 == 1234 && found?.1 == 5678, "\(path): \(String(describing: found))")
        }
    }

    @Test func callerPolicyKeepsTheCallersOwnership() async throws {
        let fixture = try Fixture()
        _ = try await fixture.unpack([try ownedLayer(fixture)], options: ExtractionOptions(ownership: .caller, durable: false))
        for path in ["home", "home/file", "home/link"] {
            let found = owner(fixture.destination + "/" + path)
            #expect(found?.0 == geteuid(), "\(path): \(String(describing: found))")
        }
    }

    @Test func nonASCIINamesSurvive() async throws {
        let fixture = try Fixture()
        let names = ["café.txt", "日本語/ファイル", "emoji-🙂"]
        let layer = try fixture.layer("names") { tar in
            for name in names { try tar.file(name, name) }
        }
        _ = try await fixture.unpack([layer])
        for name in names {
            #expect(try fixture.contents(name) == name)
        }
        let listed = try await LayerContents.list(layer).map(\.path)
        #expect(listed == names)
    }

    @Test func concurrentUnpacksOfOneDestinationYieldOneTree() async throws {
        let fixture = try Fixture()
        let layer = try fixture.layer("base") { tar in
            for index in 0..<300 { try tar.file("d\(index % 7)/f\(index)", "content \(index)") }
        }
        let destination = fixture.destination
        let outcomes = try await withThrowingTaskGroup(of: UnpackOutcome.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await LayerUnpacker.unpack([layer], into: destination, options: ExtractionOptions(durable: false))
                }
            }
            var all: [UnpackOutcome] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let fresh = outcomes.filter { if case .unpacked = $0 { true } else { false } }
        #expect(fresh.count == 1)
        #expect(outcomes.filter { $0 == .alreadyPresent }.count == 3)
        #expect(fixture.scratch.listing(fixture.work) == ["rootfs"], "no temporary trees are left")
        #expect(try fixture.contents("d3/f10") == "content 10")
    }
}
