import Testing
@testable import XfnPackage

@Suite struct VersionConstraintTests {
    func satisfies(_ constraint: String, _ version: String) throws -> Bool {
        try VersionConstraint(constraint).isSatisfied(by: #require(SemanticVersion(version)))
    }

    @Test func parsesVersionsAsTagsAreWritten() throws {
        #expect(SemanticVersion("v1.2.3")?.major == 1)
        #expect(SemanticVersion("1.2")?.patch == 0)
        #expect(SemanticVersion("v1.0.0-rc.1+build.5")?.prerelease == ["rc", "1"])
        for invalid in ["", "v", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "latest", "1..2", "1.2.3+"] {
            #expect(SemanticVersion(invalid) == nil, "\(invalid) parsed")
        }
    }

    @Test func ordersBySemverPrecedence() throws {
        let ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"]
        let versions = try ordered.map { try #require(SemanticVersion($0)) }
        #expect(versions.shuffled().sorted() == versions)
        #expect(SemanticVersion("1.0.0+a") == SemanticVersion("1.0.0+b"))
    }

    @Test(arguments: [
        (">=v1.2.0", "v1.2.0", true), (">=v1.2.0", "v1.1.9", false), (">=v1.2.0", "v1.3.0-rc.1", false),
        (">=v2.0.0 <v5.0.0", "v4.9.9", true), (">=v2.0.0 <v5.0.0", "v5.0.0", false),
        (">=v2.0.0, <v5.0.0", "v2.0.0", true), (">= 2.0, < 3", "2.5.0", true),
        ("v1.2.3", "v1.2.3", true), ("v1.2.3", "v1.2.4", false), ("1.2", "1.2.9", true), ("1.2.x", "1.3.0", false),
        ("*", "9.9.9", true), ("*", "1.0.0-alpha", false), ("!=1.2.3", "1.2.4", true), ("!=1.2.x", "1.2.4", false),
        (">1.2.x", "1.3.0", true), (">1.2.x", "1.2.9", false), ("<=1.2.x", "1.2.9", true), ("<=1.2.x", "1.3.0", false),
        ("~1.2.3", "1.2.9", true), ("~1.2.3", "1.3.0", false), ("~1", "1.9.0", true), ("~1", "2.0.0", false),
        ("^1.2.3", "1.9.9", true), ("^1.2.3", "2.0.0", false), ("^0.2.3", "0.2.9", true), ("^0.2.3", "0.3.0", false),
        ("^0.0.3", "0.0.3", true), ("^0.0.3", "0.0.4", false), ("^0.0", "0.0.9", true), ("^0.0", "0.1.0", false),
        ("1.2 - 1.4.5", "1.4.5", true), ("1.2 - 1.4.5", "1.4.6", false), ("1.2 - 1.4.x", "1.4.9", true),
        ("<1.0.0 || >=2.0.0", "0.5.0", true), ("<1.0.0 || >=2.0.0", "1.5.0", false),
        (">=1.0.0-0", "1.2.0-alpha", true), (">=1.2.0-beta", "1.2.0-alpha", false), (">=1.2.0-beta", "1.2.0-rc.1", true),
        ("=>1.0", "1.0.0", true), ("=<1.0", "1.0.0", true), ("~>1.2", "1.2.5", true),
    ])
    func mastermindsSemantics(constraint: String, version: String, expected: Bool) throws {
        #expect(try satisfies(constraint, version) == expected)
    }

    @Test(arguments: ["", ">=", "abc", "1.2.3.4", ">=1.x.3", "1.0 ||", "%1.0"])
    func rejectsInvalidConstraints(_ text: String) {
        #expect(throws: VersionConstraint.ParseError.self) { try VersionConstraint(text) }
    }

    @Test func picksTheHighestMatchingTag() throws {
        let tags = ["latest", "v0.9.0", "v1.0.0-rc.1", "v1.0.0", "v1.4.2", "v1.10.0", "v2.0.0", "main"]
        #expect(try VersionConstraint(">=v1.0.0, <v2.0.0").best(of: tags)?.original == "v1.10.0")
        #expect(try VersionConstraint(">=v1.0.0-0").best(of: tags)?.original == "v2.0.0")
        #expect(try VersionConstraint(">=v3").best(of: tags) == nil)
    }
}
