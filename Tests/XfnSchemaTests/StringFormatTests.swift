import Testing
@testable import XfnSchema

/// The string formats as go-openapi checks them in Kubernetes.
@Suite struct StringFormatTests {
    static let cases: [(String, String, Bool)] = [
        ("date", "2024-02-29", true), ("date", "2023-02-29", false), ("date", "2024-13-01", false), ("date", "24-01-01", false),
        ("date-time", "2024-01-02T03:04:05Z", true), ("date-time", "2024-01-02t03:04:05.123+01:00", true),
        ("datetime", "2024-01-02T03:04:05Z", true),
        ("date-time", "2024-01-02 03:04:05Z", false), ("date-time", "2024-01-02T24:00:00Z", false), ("date-time", "2024-01-02", false),
        ("duration", "1h30m", true), ("duration", "300ms", true), ("duration", "-1.5h", true), ("duration", "3 days", true),
        ("duration", "2w", true), ("duration", "1x", false), ("duration", "", false), ("duration", "1.5.5h", false),
        ("duration", "1 hour 5 minutes", true), ("duration", "3 Days", true), ("duration", "1x 2d", true), ("duration", "1h x", false),
        ("duration", "0", true), ("duration", ".5s", true), ("duration", "5", false), ("duration", "1µs", true),
        ("ipv4", "10.0.0.1", true), ("ipv4", "010.000.000.001", true), ("ipv4", "256.0.0.1", false), ("ipv4", "1.2.3", false),
        ("ipv6", "::1", true), ("ipv6", "2001:db8::8a2e:370:7334", true), ("ipv6", "::ffff:10.0.0.1", true),
        ("ipv6", "10.0.0.1", false), ("ipv6", "2001:db8:::1", false), ("ipv6", "1:2:3:4:5:6:7:8:9", false),
        ("cidr", "10.0.0.0/8", true), ("cidr", "2001:db8::/32", true), ("cidr", "10.0.0.0/33", false), ("cidr", "10.0.0.0", false),
        ("byte", "aGVsbG8=", true), ("byte", "aGVsbG8", false), ("byte", "!!!!", false),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", true), ("uuid", "123E4567E89B12D3A456426614174000", true),
        ("uuid", "123e4567-e89b-12d3-a456", false),
        ("uuid4", "123e4567-e89b-42d3-a456-426614174000", true), ("uuid4", "123e4567-e89b-12d3-a456-426614174000", false),
        // go-openapi's hostname pattern allows a dash only right after the first character of a single label.
        ("hostname", "example.com", true), ("hostname", "a-host", true), ("hostname", "my-host", false), ("hostname", "-bad.com", false), ("hostname", "a..b", false),
        ("email", "user@example.com", true), ("email", "Name <user@example.com>", true), ("email", "not-an-email", false),
        ("mac", "01:23:45:67:89:ab", true), ("mac", "01-23-45-67-89-AB", true), ("mac", "0123.4567.89ab", true), ("mac", "01:23:45", false),
        ("uri", "https://example.com/x?y=1", true), ("uri", "/absolute/path", true), ("uri", "relative/path", false), ("uri", "http://a b", false),
        ("hexcolor", "#fff", true), ("hexcolor", "a0b1c2", true), ("hexcolor", "#ggg", false),
        ("rgbcolor", "rgb(255, 0, 10)", true), ("rgbcolor", "rgb(256,0,0)", false),
        ("ssn", "123-45-6789", true), ("ssn", "123456789", true), ("ssn", "12-345-6789", false),
        ("isbn10", "0321751043", true), ("isbn13", "978-0321751041", true), ("isbn", "0321751044", false),
        ("creditcard", "4111 1111 1111 1111", true), ("creditcard", "4111 1111 1111 1112", false),
        ("bsonobjectid", "507f1f77bcf86cd799439011", true), ("bsonobjectid", "507f1f77bcf86cd79943901", false),
        ("password", "anything at all", true),
        ("k8s-short-name", "my-app", true), ("k8s-short-name", "My-App", false), ("k8s-short-name", "a.b", false),
        ("k8s-long-name", "a.b-c.d", true), ("k8s-long-name", "a..b", false),
    ]

    @Test func formats() throws {
        for (name, text, expected) in Self.cases {
            let format = try #require(StringFormat(name: name), "\(name)")
            #expect(format.accepts(text) == expected, "\(name) \(text)")
        }
    }

    @Test func unknownAndNumericFormatsAreDropped() throws {
        for name in ["int32", "int64", "float", "double", "color", "quantity"] {
            #expect(StringFormat(name: name) == nil)
        }
        let schema = try CompiledSchema.schema(["type": "object", "properties": [
            "n": ["type": "integer", "format": "int32"],
            "s": ["type": "string", "format": "made-up"],
            "i": ["type": "integer", "format": "date"],
        ]])
        #expect(schema.validateValues(["n": .int(Int64(Int32.max) + 1), "s": "whatever", "i": 3]).isEmpty)
        #expect(schema.validateValues(["i": "x"]).map(\.description) == [#"i: Invalid value: "string": i in body must be of type integer: "string""#])
    }
}
