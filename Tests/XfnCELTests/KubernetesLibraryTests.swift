import Testing
@testable import XfnCEL

/// Examples in the style of the Kubernetes CEL documentation, one library per test.
@Suite struct KubernetesLibraryTests {
    @Test(arguments: [
        "'hello'.charAt(4) == 'o'", "'hello'.charAt(5) == ''", "'hello mellow'.indexOf('ello') == 1",
        "'hello mellow'.indexOf('ello', 2) == 7", "'hello mellow'.lastIndexOf('ello') == 7",
        "'hello mellow'.lastIndexOf('ello', 6) == 1", "'TacoCat'.lowerAscii() == 'tacocat'",
        "'TacoCÆt'.upperAscii() == 'TACOCÆT'", "'hello hello'.replace('he', 'we') == 'wello wello'",
        "'hello hello'.replace('he', 'we', 1) == 'wello hello'",
        "'hello hello hello'.split(' ') == ['hello', 'hello', 'hello']",
        "'hello hello hello'.split(' ', 2) == ['hello', 'hello hello']", "'tacocat'.substring(4) == 'cat'",
        "'tacocat'.substring(0, 4) == 'taco'", "'  \\ttrim\\n    '.trim() == 'trim'",
        "['hello', 'mellow'].join() == 'hellomellow'", "['hello', 'mellow'].join(' ') == 'hello mellow'",
        "strings.quote('first\\nsecond') == '\"first\\\\nsecond\"'",
        "'%s has %d items, %.2f%%'.format(['cart', 3, 12.345]) == 'cart has 3 items, 12.35%'",
        "'ça va'.indexOf('va') == 3",
    ])
    func strings(_ expr: String) throws { try expectTrue(expr) }

    @Test func stringErrors() throws {
        try expectEvalError("'abc'.charAt(4)")
        try expectEvalError("'abc'.substring(2, 1)")
        try expectEvalError("'%d'.format(['x'])")
    }

    @Test(arguments: [
        "[1, 2, 3].isSorted()", "!['b', 'a'].isSorted()", "[1, 2, 3].sum() == 6", "[1.5, 2.5].sum() == 4.0",
        "[].sum() == 0", "[3, 1, 2].min() == 1", "[3, 1, 2].max() == 3", "[1, 2, 1].indexOf(1) == 0",
        "[1, 2, 1].lastIndexOf(1) == 2", "[1, 2].indexOf(3) == -1",
        "[1, 2, 3, 4].slice(1, 3) == [2, 3]", "[[1], [2, [3]]].flatten() == [1, 2, [3]]",
        "[1, 2, 2, 1].distinct() == [1, 2]", "lists.range(3) == [0, 1, 2]", "[1, 2].reverse() == [2, 1]",
        "['b', 'c', 'a'].sort() == ['a', 'b', 'c']",
    ])
    func lists(_ expr: String) throws { try expectTrue(expr) }

    @Test func listErrors() throws {
        try expectEvalError("[].min()")
        try expectEvalError("[1, 'a'].sort()")
        try expectEvalError("[1, 2].slice(2, 1)")
    }

    @Test(arguments: [
        "sets.contains([1, 2, 3, 4], [2, 3])", "!sets.contains([1, 2], [3])", "sets.contains([1], [1.0, 1u])",
        "sets.equivalent([1, 2, 3], [3, 2, 1, 1])", "!sets.equivalent([1], [1, 2])", "sets.intersects([1, 2], [2, 3])",
        "!sets.intersects([1], [])",
    ])
    func sets(_ expr: String) throws { try expectTrue(expr) }

    @Test(arguments: [
        "'abc 123'.find('[0-9]+') == '123'", "'abc'.find('[0-9]+') == ''",
        "'123 abc 456'.findAll('[0-9]+') == ['123', '456']", "'123 abc 456'.findAll('[0-9]+', 1) == ['123']",
        "'abc'.matches('^[a-z]+$')", "'ABC'.matches('(?i)^abc$')", "!'abc\\ndef'.matches('^def')",
        "'abc\\ndef'.matches('(?m)^def$')", "'a.b'.matches('a\\\\.b') && !'axb'.matches('a\\\\.b')",
        "'héllo'.matches('^h.llo$')", "'word boundary'.findAll('\\\\b\\\\w') == ['w', 'b']",
        "'aaa'.find('a+?') == 'a'", "'xyz'.findAll('') == ['', '', '', '']",
        "'abcd'.find('(a|ab)(c|bcd)(d*)') == 'abcd'", "'aaa'.find('a*?') == ''", "'αβγ'.matches('^\\\\p{Greek}+$')",
        "'a1_'.matches('^\\\\w+$') && !'é'.matches('^\\\\w$')", "'x'.matches('[[:alpha:]]')",
        "'a{,2}'.matches('^a{,2}$')", "'A'.matches('(?i:a)') && !'A'.matches('(?i:b)a')",
        "'a++b'.matches('^\\\\Qa+\\\\E+b$') && !'a+a+b'.matches('^\\\\Qa+\\\\E+b$')",
    ])
    func regex(_ expr: String) throws { try expectTrue(expr) }

    @Test func regexServesSchemaPatterns() throws {
        let re = try CELRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        #expect(re.matches("my-name") && !re.matches("My-Name") && !re.matches("-x"))
        #expect(try CELRegex("[0-9]+").matches("abc123"), "unanchored like Go's MatchString")
    }

    @Test func regexRejectsPerlOnlySyntax() throws {
        for pattern in ["(a)\\1", "(?=a)", "(?!a)", "(?<=a)b", "a**", "(", "[z-a]", "a{2,1}"] {
            #expect(throws: CELRegexError.self, "\(pattern)") { try CELRegex(pattern) }
        }
        #expect(try expectEvalError("'a'.matches('(?=a)')")?.message.contains("error parsing regexp") == true)
    }

    @Test(arguments: [
        "url('https://example.com:80/').getHost() == 'example.com:80'",
        "url('https://example.com:80/').getHostname() == 'example.com'",
        "url('https://[::1]:80/').getHostname() == '::1'", "url('https://[::1]:80/').getPort() == '80'",
        "url('/absolute-path').getScheme() == ''", "url('https://example.com/').getScheme() == 'https'",
        "url('https://example.com/path with spaces/').getEscapedPath() == '/path%20with%20spaces/'",
        "url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}",
        "isURL('https://example.com:80/path?query=val#fragment')",
        "url('https://example.com/p?a=1+2&b=%41#frag').getQuery() == {'a': ['1 2'], 'b': ['A']}", "!isURL('../relative-path')", "!isURL('example.com')",
    ])
    func urls(_ expr: String) throws { try expectTrue(expr) }

    @Test(arguments: [
        "quantity('500000G').isInteger()", "quantity('50k').asInteger() == 50000",
        "quantity('1.5Gi').asInteger() == 1610612736", "!quantity('1.5').isInteger()",
        "quantity('50.703k').asApproximateFloat() == 50703.0", "quantity('200M').compareTo(quantity('0.2G')) == 0",
        "quantity('150Mi').isGreaterThan(quantity('100Mi'))", "quantity('50M').isLessThan(quantity('100M'))",
        "quantity('50M').add(quantity('20M')) == quantity('70M')", "quantity('50k').add(20) == quantity('50020')",
        "quantity('50k').sub(20) == quantity('49980')", "quantity('-50k').sign() == -1",
        "quantity('1e3') == quantity('1k')", "quantity('100m') == quantity('0.1')", "isQuantity('1.5Gi')",
        "!isQuantity('1.5K')", "!isQuantity('Gi')", "!isQuantity('1..5')",
    ])
    func quantities(_ expr: String) throws { try expectTrue(expr) }

    @Test func quantityErrors() throws {
        try expectEvalError("quantity('1.5').asInteger()")
        try expectEvalError("quantity('abc')")
        try expectEvalError("quantity('1') < quantity('2')")
    }

    @Test(arguments: [
        "isIP('1.2.3.4') && isIP('::1') && !isIP('1.2.3.04') && !isIP('1.2.3')", "ip('1.2.3.4').family() == 4",
        "ip('::1').family() == 6", "ip('127.0.0.1').isLoopback()", "string(ip('2001:0db8:0:0:0:0:0:1')) == '2001:db8::1'",
        "ip.isCanonical('2001:db8::1') && !ip.isCanonical('2001:DB8::1')", "cidr('192.168.0.0/16').containsIP(ip('192.168.1.1'))",
        "cidr('192.168.0.0/16').containsIP('192.168.1.1')", "!cidr('10.0.0.0/8').containsIP('11.0.0.1')",
        "cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", "cidr('10.1.2.3/8').masked() == cidr('10.0.0.0/8')",
        "cidr('10.0.0.0/8').prefixLength() == 8", "isCIDR('::/0') && !isCIDR('10.0.0.0/33')",
        "type(ip('1.2.3.4')) == net.IP",
    ])
    func network(_ expr: String) throws { try expectTrue(expr) }

    @Test(arguments: [
        "semver('1.0.0').isGreaterThan(semver('0.1.0'))", "semver('1.2.3').major() == 1",
        "semver('1.2.3').minor() == 2", "semver('1.2.3').patch() == 3", "semver('1.0.0-alpha').isLessThan(semver('1.0.0'))",
        "semver('1.0.0-alpha.1').compareTo(semver('1.0.0-alpha.beta')) == -1", "semver('1.0.0+build') == semver('1.0.0')",
        "isSemver('1.2.3') && !isSemver('1.2') && !isSemver('01.2.3')", "isSemver('v1.2', true)",
        "semver('v01.2', true) == semver('1.2.0')", "semver('1.02.003-alpha', true) == semver('1.2.3-alpha')",
        "!isSemver('1.2-beta', true)",
    ])
    func semver(_ expr: String) throws { try expectTrue(expr) }

    @Test(arguments: [
        "!format.dns1123Label().validate('my-name').hasValue()", "format.dns1123Label().validate('MY NAME').hasValue()",
        "format.named('dns1123Label').value().validate('UPPER').hasValue()",
        "!format.named('nope').hasValue()", "!format.dns1123Subdomain().validate('example.com').hasValue()",
        "!format.dns1123LabelPrefix().validate('my-prefix-').hasValue()", "format.dns1123Label().validate('my-prefix-').hasValue()",
        "!format.qualifiedName().validate('example.com/MyName').hasValue()", "format.qualifiedName().validate('a/b/c').hasValue()",
        "!format.labelValue().validate('').hasValue()", "!format.uuid().validate('123e4567-e89b-12d3-a456-426614174000').hasValue()",
        "!format.date().validate('2024-02-29').hasValue() && format.date().validate('2023-02-29').hasValue()",
        "!format.dns1035Label().validate('abc-123').hasValue() && format.dns1035Label().validate('1abc').hasValue()",
    ])
    func formats(_ expr: String) throws { try expectTrue(expr) }

    @Test func formatMessagesUseApimachineryWording() throws {
        let v = try evaluate("format.dns1123Label().validate('My_Name').value()")
        guard case .list(let items) = v, case .string(let first)? = items.first else {
            Issue.record("expected a list of messages, got \(v.debugText)")
            return
        }
        #expect(try evaluate("format.dns1123Label().validate('a.b').value()").debugText == #"["must not contain dots"]"#)
        #expect(first == "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
    }
}
