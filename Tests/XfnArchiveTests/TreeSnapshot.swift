import Foundation

/// A comparable picture of a directory tree: per relative path its type, permission bits (without
/// setuid/setgid/sticky), symlink target, file contents, and which paths share an inode.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    enum Node: Equatable {
        case directory(mode: UInt32)
        case file(mode: UInt32, contents: [UInt8], linkGroup: String)
        case symlink(target: String)
        case other(type: UInt32)
    }

    var nodes: [String: Node]

    init(_ root: String) throws {
        var nodes: [String: Node] = [:]
        var firstPathOfInode: [UInt64: String] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
            for name in names {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + path
                var info = stat()
                guard lstat(full, &info) == 0 else { throw CocoaError(.fileReadUnknown) }
                let type = UInt32(info.st_mode) & 0o170000
                let mode = UInt32(info.st_mode) & 0o777
                switch type {
                case 0o040000:
                    nodes[path] = .directory(mode: mode)
                    pending.append(path)
                case 0o100000:
                    let inode = UInt64(info.st_ino)
                    let group = firstPathOfInode[inode] ?? path
                    firstPathOfInode[inode] = group
                    let contents = try [UInt8](Data(contentsOf: URL(fileURLWithPath: full)))
                    nodes[path] = .file(mode: mode, contents: contents, linkGroup: group)
                case 0o120000:
                    nodes[path] = .symlink(target: try FileManager.default.destinationOfSymbolicLink(atPath: full))
                default:
                    nodes[path] = .other(type: type)
                }
            }
        }
        // Link groups are named by the first path seen, which depends on walk order; rename each
        // group to its smallest member so two trees compare equal regardless of order.
        var smallest: [String: String] = [:]
        for (path, node) in nodes {
            if case .file(_, _, let group) = node {
                smallest[group] = min(smallest[group] ?? path, path)
            }
        }
        for (path, node) in nodes {
            if case .file(let mode, let contents, let group) = node {
                nodes[path] = .file(mode: mode, contents: contents, linkGroup: smallest[group]!)
            }
        }
        self.nodes = nodes
    }

    var description: String {
        nodes.keys.sorted().map { path in
            switch nodes[path]! {
            case .directory(let mode): "\(path)/ \(String(mode, radix: 8))"
            case .file(let mode, let contents, let group):
                "\(path) \(String(mode, radix: 8)) \(contents.count)B \(String(decoding: contents.prefix(40), as: UTF8.self).debugDescription)" + (group == path ? "" : " link=\(group)")
            case .symlink(let target): "\(path) -> \(target)"
            case .other(let type): "\(path) type \(String(type, radix: 8))"
            }
        }.joined(separator: "\n")
    }
}
