import Testing
@testable import XfnAuth

@Suite struct AuthChallengeTests {
    @Test func parsesBearerWithQuotedParameters() {
        let challenges = AuthChallenge.parse(headerValue: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#)
        #expect(challenges.count == 1)
        #expect(challenges[0].scheme == "bearer")
        #expect(challenges[0].realm == "https://auth.docker.io/token")
        #expect(challenges[0].service == "registry.docker.io")
        #expect(challenges[0].scopes == ["repository:library/alpine:pull"])
    }

    @Test func parsesSeveralChallengesInOneValue() {
        let challenges = AuthChallenge.parse(headerValue: #"Basic realm="a", Bearer realm="https://b/token", service=svc, Negotiate abc=="#)
        #expect(challenges.map(\.scheme) == ["basic", "bearer", "negotiate"])
        #expect(challenges[1].service == "svc")
        #expect(challenges[2].token68 == "abc==")
    }

    @Test func unescapesQuotedStrings() {
        let challenges = AuthChallenge.parse(headerValue: #"Bearer realm="https://x/t?a=\"b\"",error="insufficient_scope",error_description="needs \\ more""#)
        #expect(challenges[0].realm == #"https://x/t?a="b""#)
        #expect(challenges[0].parameters["error"] == "insufficient_scope")
        #expect(challenges[0].parameters["error_description"] == #"needs \ more"#)
    }

    @Test func namesAreCaseInsensitive() {
        let challenges = AuthChallenge.parse(headerValue: #"BEARER Realm="r", SERVICE="s""#)
        #expect(challenges[0].scheme == "bearer")
        #expect(challenges[0].realm == "r")
        #expect(challenges[0].service == "s")
    }

    @Test func parsesEachHeaderLineAndMultipleScopes() {
        let challenges = AuthChallenge.parse(headerValues: [#"Basic realm="ecr""#, #"Bearer realm="r",scope="repository:a:pull repository:b:pull,push""#])
        #expect(challenges.count == 2)
        #expect(challenges[1].scopes == ["repository:a:pull", "repository:b:pull,push"])
    }

    @Test func survivesGarbage() {
        #expect(AuthChallenge.parse(headerValue: "").isEmpty)
        #expect(AuthChallenge.parse(headerValue: ",,,").isEmpty)
        let unterminated = AuthChallenge.parse(headerValue: #"Bearer realm="https://x"#)
        #expect(unterminated.first?.realm == "https://x")
    }
}
