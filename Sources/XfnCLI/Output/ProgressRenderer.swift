import Foundation
import XfnCore

/// Draws one self-updating line on a terminal from progress events; draws nothing elsewhere. At most ten
/// redraws a second so a fast local pull is not slowed by its own progress bar.
final class ProgressRenderer: @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Terminal
    private let title: String
    private var totals: [String: Int64] = [:]
    private var done: [String: Int64] = [:]
    private var finished: Set<String> = []
    private var lastDraw = Date.distantPast
    private var drewSomething = false

    init(terminal: Terminal, title: String) {
        self.terminal = terminal
        self.title = title
    }

    var handler: ProgressHandler { { [self] event in handle(event) } }

    private func handle(_ event: ProgressEvent) {
        lock.withLock {
            switch event {
            case .started(let id, _, let total):
                totals[id] = total ?? 0
                if done[id] == nil { done[id] = 0 }
            case .advanced(let id, let bytes):
                done[id, default: 0] += bytes
            case .finished(let id, _):
                finished.insert(id)
                done[id] = totals[id] ?? done[id] ?? 0
            case .note:
                return
            }
            let now = Date()
            guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            draw()
        }
    }

    private func draw() {
        let total = totals.values.reduce(0, +)
        let current = done.values.reduce(0, +)
        let fraction = total > 0 ? Double(current) / Double(total) : 0
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        terminal.write("\r\u{1B}[2K\(title) \(bar) \(ByteFormat.text(current))/\(ByteFormat.text(total)) \(finished.count)/\(totals.count) blobs")
        drewSomething = true
    }

    /// Clears the line so the command's own output starts clean.
    func finish() {
        lock.withLock {
            if drewSomething { terminal.write("\r\u{1B}[2K") }
        }
    }
}

enum ByteFormat {
    static func text(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
