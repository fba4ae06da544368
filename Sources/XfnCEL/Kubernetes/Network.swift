import XfnCore

/// Kubernetes' IP and CIDR libraries (`ip`, `isIP`, `ip.isCanonical`, `cidr`, `isCIDR` and their
/// methods), with the same rejections: zones and IPv4-mapped IPv6 addresses in any spelling (cel-go's
/// own network extension accepts the latter; Kubernetes does not).
enum NetworkLibrary {
    struct IP: CELObject {
        let address: IPAddress
        var celType: CELType { CELType("net.IP") }
        var description: String { address.description }
        func isEqual(to other: any CELObject) -> Bool {
            guard let o = other as? IP else { return false }
            return address == o.address
        }
    }

    struct CIDR: CELObject {
        let address: IPAddress
        let bits: Int
        var celType: CELType { CELType("net.CIDR") }
        var description: String { "\(address)/\(bits)" }
        func isEqual(to other: any CELObject) -> Bool {
            guard let o = other as? CIDR else { return false }
            return address == o.address && bits == o.bits
        }
        func contains(_ ip: IPAddress) -> Bool {
            ip.bytes.count == address.bytes.count && ip.masked(bits) == address.masked(bits)
        }
    }

    static func parseIP(_ s: String) throws -> IPAddress {
        let quoted = GoFormat.quote(s)
        if s.contains("%"), IPAddress.parse(String(s.prefix { $0 != "%" })) != nil {
            throw CELEvalError.general("IP address \(quoted) with zone value is not allowed")
        }
        guard let a = IPAddress.parse(s) else {
            throw CELEvalError.general("IP Address \(quoted) parse error during conversion from string: invalid IP address")
        }
        if a.isV4MappedV6 { throw CELEvalError.general("IPv4-mapped IPv6 address \(quoted) is not allowed") }
        return a
    }

    static func parseCIDR(_ s: String) throws -> CIDR {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPAddress.parse(String(parts[0])), let bits = Int(parts[1]),
              parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), bits >= 0, bits <= a.bytes.count * 8
        else {
            throw CELEvalError.general("network address parse error during conversion from string")
        }
        if a.isV4MappedV6 { throw CELEvalError.general("IPv4-mapped IPv6 address \(GoFormat.quote(s)) is not allowed") }
        return CIDR(address: a, bits: bits)
    }

    private static func ip(_ v: CELValue, _ fn: String) throws -> IPAddress {
        guard case .object(let o) = v, let ip = o as? IP else { throw CELEvalError.noOverload(fn) }
        return ip.address
    }

    private static func cidr(_ v: CELValue, _ fn: String) throws -> CIDR {
        guard case .object(let o) = v, let c = o as? CIDR else { throw CELEvalError.noOverload(fn) }
        return c
    }

    private static func predicate(_ name: String, _ test: @escaping @Sendable (IPAddress) -> Bool) -> CELFunction {
        CELFunction(name, .receiver, arity: 1...1) { a in .bool(test(try ip(a[0], name))) }
    }

    static var functions: [CELFunction] {
        [
            CELFunction("ip", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("ip") }
                return .object(IP(address: try parseIP(s)))
            },
            CELFunction("isIP", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("isIP") }
                return .bool((try? parseIP(s)) != nil)
            },
            CELFunction("ip.isCanonical", arity: 1...1, cost: .linearTwice) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("ip.isCanonical") }
                return .bool(try parseIP(s).description == s)
            },
            CELFunction("string", arity: 1...1) { a in
                guard case .object(let o) = a[0], o is IP || o is CIDR else { throw CELEvalError.noOverload("string") }
                return .string(o.description)
            },
            CELFunction("family", .receiver, arity: 1...1) { a in .int(try ip(a[0], "family").isV4 ? 4 : 6) },
            predicate("isUnspecified") { $0.bytes.allSatisfy { $0 == 0 } },
            predicate("isLoopback") { a in
                let u = a.unmapped
                return u.isV4 ? u.bytes[0] == 127 : u.bytes == Array(repeating: 0, count: 15) + [1]
            },
            predicate("isLinkLocalMulticast") { a in
                let u = a.unmapped
                return u.isV4 ? u.bytes[0] == 224 && u.bytes[1] == 0 && u.bytes[2] == 0
                    : u.bytes[0] == 0xFF && u.bytes[1] & 0x0F == 0x02
            },
            predicate("isLinkLocalUnicast") { a in
                let u = a.unmapped
                return u.isV4 ? u.bytes[0] == 169 && u.bytes[1] == 254 : u.bytes[0] == 0xFE && u.bytes[1] & 0xC0 == 0x80
            },
            predicate("isGlobalUnicast") { a in
                let u = a.unmapped
                if u.bytes.allSatisfy({ $0 == 0 }) { return false }
                if u.isV4 {
                    if u.bytes == [255, 255, 255, 255] { return false }
                    if u.bytes[0] == 127 || u.bytes[0] >= 224 { return false }
                    if u.bytes[0] == 169 && u.bytes[1] == 254 { return false }
                    return true
                }
                if u.bytes == Array(repeating: 0, count: 15) + [1] { return false }
                if u.bytes[0] == 0xFF { return false }
                if u.bytes[0] == 0xFE && u.bytes[1] & 0xC0 == 0x80 { return false }
                return true
            },
            CELFunction("cidr", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("cidr") }
                return .object(try parseCIDR(s))
            },
            CELFunction("isCIDR", arity: 1...1, cost: .linear) { a in
                guard case .string(let s) = a[0] else { throw CELEvalError.noOverload("isCIDR") }
                return .bool((try? parseCIDR(s)) != nil)
            },
            CELFunction("containsIP", .receiver, arity: 2...2) { a in
                let c = try cidr(a[0], "containsIP")
                let target: IPAddress
                if case .string(let s) = a[1] { target = try parseIP(s) } else { target = try ip(a[1], "containsIP") }
                return .bool(c.contains(target))
            },
            CELFunction("containsCIDR", .receiver, arity: 2...2) { a in
                let c = try cidr(a[0], "containsCIDR")
                let other: CIDR
                if case .string(let s) = a[1] { other = try parseCIDR(s) } else { other = try cidr(a[1], "containsCIDR") }
                return .bool(other.bits >= c.bits && c.contains(other.address))
            },
            CELFunction("ip", .receiver, arity: 1...1) { a in .object(IP(address: try cidr(a[0], "ip").address)) },
            CELFunction("masked", .receiver, arity: 1...1) { a in
                let c = try cidr(a[0], "masked")
                return .object(CIDR(address: c.address.masked(c.bits), bits: c.bits))
            },
            CELFunction("prefixLength", .receiver, arity: 1...1) { a in .int(Int64(try cidr(a[0], "prefixLength").bits)) },
        ]
    }
}
