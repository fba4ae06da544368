import Foundation
import XfnCore

/// Credentials in a containerd config (`/etc/containerd/config.toml`), CRI plugin section
/// `registry.configs."HOST".auth` with `username`, `password`, `auth` or `identitytoken`, for users whose
/// cluster nodes already pull with them.
public struct ContainerdConfigSource: CredentialSource {
    public let path: String

    public init(path: String) { self.path = path }

    public var name: String { "containerd \(path)" }

    public func credential(registry: String, repository: String, trace: inout AuthTrace) async -> Credential? {
        guard let data = FileManager.default.contents(atPath: path) else {
            trace.record(name, .failed, "does not exist")
            return nil
        }
        let values: [[String]: String]
        do { values = try TOMLSubset.parse(String(decoding: data, as: UTF8.self)) } catch {
            trace.record(name, .failed, "exists but cannot be parsed: \(error)")
            return nil
        }
        var fields: [String: String] = [:]
        var section = ""
        for (path, value) in values {
            guard path.count >= 5, let index = path.lastIndex(of: "configs"), index >= 1, path[index - 1] == "registry",
                  path.count == index + 4, path[index + 1] == registry, path[index + 2] == "auth"
            else { continue }
            fields[path[index + 3]] = value
            section = path[..<(index + 3)].map { $0.contains(".") ? "\"\($0)\"" : $0 }.joined(separator: ".")
        }
        guard !fields.isEmpty else {
            trace.record(name, .noMatch, "parsed; no registry.configs.\"\(registry)\".auth table")
            return nil
        }
        let entry = AuthFile.Entry(auth: fields["auth"], username: fields["username"], password: fields["password"],
                                   identityToken: fields["identitytoken"], registryToken: nil)
        do {
            let credential = try entry.credential(source: "\(name) [\(section)]")
            trace.record(name, .matched, "[\(section)]: \(credential.summary)")
            return credential
        } catch {
            trace.record(name, .failed, "[\(section)]: \(error)")
            return nil
        }
    }
}

/// Enough TOML for containerd configs: `[a."b.c".d]` tables, `key = value` with basic or literal
/// strings, dotted keys, comments. Other values (numbers, arrays, inline tables) are skipped.
enum TOMLSubset {
    struct SyntaxError: Error, CustomStringConvertible {
        let line: Int
        let reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func parse(_ text: String) throws -> [[String]: String] {
        var result: [[String]: String] = [:]
        var table: [String] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var scanner = Scanner(Array(raw.unicodeScalars), line: number + 1)
            scanner.skipSpace()
            if scanner.atEnd || scanner.peek == "#" { continue }
            if scanner.peek == "[" {
                scanner.advance()
                let isArray = scanner.peek == "["
                if isArray { scanner.advance() }
                table = try scanner.keyPath(until: "]")
                continue
            }
            let key = try scanner.keyPath(until: "=")
            scanner.skipSpace()
            if let value = try scanner.stringValue() { result[table + key] = value }
        }
        return result
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        let line: Int
        var position = 0

        init(_ scalars: [Unicode.Scalar], line: Int) {
            self.scalars = scalars
            self.line = line
        }

        var atEnd: Bool { position >= scalars.count }
        var peek: Unicode.Scalar? { atEnd ? nil : scalars[position] }
        mutating func advance() { position += 1 }
        mutating func skipSpace() { while let c = peek, c == " " || c == "\t" || c == "\r" { advance() } }

        /// Dotted key components up to `terminator` (consumed).
        mutating func keyPath(until terminator: Unicode.Scalar) throws -> [String] {
            var components: [String] = []
            while true {
                skipSpace()
                guard let c = peek else { throw SyntaxError(line: line, reason: "expected '\(terminator)'") }
                if c == "\"" || c == "'" {
                    components.append(try quoted())
                } else {
                    var bare = ""
                    while let c = peek, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "-" {
                        bare.unicodeScalars.append(c)
                        advance()
                    }
                    guard !bare.isEmpty else { throw SyntaxError(line: line, reason: "unexpected '\(c)' in a key") }
                    components.append(bare)
                }
                skipSpace()
                if peek == "." { advance(); continue }
                guard peek == terminator else { throw SyntaxError(line: line, reason: "expected '\(terminator)'") }
                advance()
                if terminator == "]", peek == "]" { advance() }
                return components
            }
        }

        mutating func stringValue() throws -> String? {
            guard peek == "\"" || peek == "'" else { return nil }
            return try quoted()
        }

        /// A basic string (backslash escapes) or a literal string (taken as is).
        mutating func quoted() throws -> String {
            let quote = peek!
            advance()
            var out = String.UnicodeScalarView()
            while let c = peek {
                advance()
                if c == quote { return String(out) }
                if quote == "\"", c == "\\", let next = peek {
                    advance()
                    switch next {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "u", "U":
                        let count = next == "u" ? 4 : 8
                        guard position + count <= scalars.count,
                              let value = UInt32(String(String.UnicodeScalarView(scalars[position..<position + count])), radix: 16),
                              let scalar = Unicode.Scalar(value)
                        else { throw SyntaxError(line: line, reason: "bad \\\(next) escape") }
                        position += count
                        out.append(scalar)
                    default: throw SyntaxError(line: line, reason: "unknown escape \\\(next)")
                    }
                    continue
                }
                out.append(c)
            }
            throw SyntaxError(line: line, reason: "unterminated string (multi-line strings are not supported)")
        }
    }
}
