import Testing
@testable import XfnOCI

@Suite struct ReferenceTests {
    @Test(arguments: [
        ("xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0", "xpkg.crossplane.io", "crossplane-contrib/function-auto-ready", "v0.5.0"),
        ("127.0.0.1:5000/lab/fn:v1", "127.0.0.1:5000", "lab/fn", "v1"),
        ("localhost/fn:latest", "localhost", "fn", "latest"),
        ("localhost:5000/a/b/c/d:1.2.3-rc.1_x", "localhost:5000", "a/b/c/d", "1.2.3-rc.1_x"),
        ("docker.io/nginx:1.27", "docker.io", "library/nginx", "1.27"),
        ("docker.io/bitnami/nginx:1", "docker.io", "bitnami/nginx", "1"),
        ("ghcr.io/a__b/c--d/e.f_g:TAG", "ghcr.io", "a__b/c--d/e.f_g", "TAG"),
        ("[::1]:5000/fn:v1", "[::1]:5000", "fn", "v1"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/fn:v1", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "fn", "v1"),
    ])
    func parsesValidReferences(text: String, registry: String, repository: String, tag: String) throws {
        let reference = try Reference(parsing: text)
        #expect(reference.registry == registry)
        #expect(reference.repository == repository)
        #expect(reference.tag == tag)
        #expect(reference.digest == nil)
    }

    @Test func parsesDigestsWithAndWithoutTags() throws {
        let hex = String(repeating: "ab", count: 32)
        let pinned = try Reference(parsing: "ghcr.io/acme/fn@sha256:\(hex)")
        #expect(pinned.tag == nil)
        #expect(pinned.digest?.hex == hex)
        #expect(pinned.manifestIdentifier == "sha256:\(hex)")
        let both = try Reference(parsing: "ghcr.io/acme/fn:v1@sha256:\(hex)")
        #expect(both.tag == "v1")
        #expect(both.description == "ghcr.io/acme/fn:v1@sha256:\(hex)")
    }

    @Test func dockerHubUsesItsAPIHost() throws {
        #expect(try Reference(parsing: "docker.io/library/alpine:3").apiHost == "registry-1.docker.io")
        #expect(try Reference(parsing: "ghcr.io/a/b:1").apiHost == "ghcr.io")
    }

    @Test func bareNamesAreRefusedWithTheQualifiedForm() {
        do {
            _ = try Reference(parsing: "crossplane-contrib/function-auto-ready:v0.5.0")
            Issue.record("a bare name was accepted")
        } catch let error as ReferenceError {
            #expect(error.reason.contains("registry is missing"))
            #expect(error.hint?.contains("xpkg.crossplane.io/crossplane-contrib/function-auto-ready:v0.5.0") == true)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        do {
            _ = try Reference(parsing: "nginx")
            Issue.record("a bare name was accepted")
        } catch let error as ReferenceError {
            #expect(error.hint?.contains("docker.io/library/nginx:TAG") == true)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(arguments: [
        ("", "empty"),
        ("ghcr.io/Acme/fn:v1", "lowercase"),
        ("ghcr.io/acme/fn", "neither a tag nor a digest"),
        ("ghcr.io/acme/fn:", "tag after ':' is empty"),
        ("ghcr.io/acme/fn:-v1", "must start with"),
        ("ghcr.io/acme/fn:v1+x", "may contain only"),
        ("ghcr.io/acme//fn:v1", "empty component"),
        ("ghcr.io/-acme/fn:v1", "start and end"),
        ("ghcr.io/ac...me/fn:v1", "invalid separator"),
        ("ghcr.io:99999/fn:v1", "port"),
        ("ghcr.io:abc/fn:v1", "port"),
        ("gh_cr.io/fn:v1", "not a valid registry host"),
        ("https://ghcr.io/acme/fn:v1", "no scheme"),
        ("ghcr.io/acme/fn@sha256:abc", "64 hex"),
        ("ghcr.io/acme/fn@md5:abc", "unsupported algorithm"),
        ("ghcr.io/acme /fn:v1", "white space"),
    ])
    func rejectsInvalidReferences(text: String, reasonFragment: String) {
        do {
            _ = try Reference(parsing: text)
            Issue.record("'\(text)' was accepted")
        } catch let error as ReferenceError {
            #expect(error.message.contains(reasonFragment), "message was: \(error.message)")
            #expect(error.exitCode == .usage)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func enforcesLengthLimits() throws {
        let longTag = String(repeating: "a", count: 129)
        #expect(throws: ReferenceError.self) { try Reference(parsing: "ghcr.io/fn:\(longTag)") }
        #expect(try Reference(parsing: "ghcr.io/fn:\(String(repeating: "a", count: 128))").tag?.count == 128)
        let longPath = (0..<30).map { _ in "abcdefghi" }.joined(separator: "/")
        #expect(throws: ReferenceError.self) { try Reference(parsing: "ghcr.io/\(longPath):v1") }
    }
}
