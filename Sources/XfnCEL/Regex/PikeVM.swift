/// A breadth-first simulation of the regex program (Thompson NFA with thread priorities) for large
/// inputs: memory stays proportional to the program, where the backtracker's visited set grows with
/// program × input. Gives the same leftmost-first match as the backtracker.
extension CELRegex {
    /// Above this many (instruction, position) states the backtracker's bitset is not worth it.
    static let backtrackLimit = 4_000_000

    private struct ThreadList {
        var pcs: [Int] = []
        var starts: [Int] = []
        var mark: [UInt32]
        var generation: UInt32 = 1

        init(size: Int) { mark = Array(repeating: 0, count: size) }

        mutating func reset() {
            pcs.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            generation &+= 1
            if generation == 0 {
                for i in mark.indices { mark[i] = 0 }
                generation = 1
            }
        }
    }

    /// Follows jumps, splits and assertions from `pc` in priority order, adding the consuming and
    /// matching instructions reached.
    private func addThread(_ list: inout ThreadList, _ pc: Int, _ pos: Int, start: Int, _ input: [UInt32],
                           _ stack: inout [Int])
    {
        stack.append(pc)
        while let p = stack.popLast() {
            if list.mark[p] == list.generation { continue }
            list.mark[p] = list.generation
            switch program[p] {
            case .jump(let x): stack.append(x)
            case .split(let x, let y):
                stack.append(y)
                stack.append(x)
            case .assert(let a):
                if CELRegex.holds(a, input, pos) { stack.append(p + 1) }
            default:
                list.pcs.append(p)
                list.starts.append(start)
            }
        }
    }

    func pikeMatch(in input: [UInt32], from: Int) -> Range<Int>? {
        var current = ThreadList(size: program.count)
        var next = ThreadList(size: program.count)
        var stack: [Int] = []
        var matched: Range<Int>?
        var pos = from
        while pos <= input.count {
            // A new attempt starting here has the lowest priority, and none once a match is known.
            if matched == nil { addThread(&current, 0, pos, start: pos, input, &stack) }
            if current.pcs.isEmpty {
                if matched != nil { break }
                current.reset()
                pos += 1
                continue
            }
            next.reset()
            threads: for i in current.pcs.indices {
                let pc = current.pcs[i]
                let start = current.starts[i]
                switch program[pc] {
                case .match:
                    matched = start..<pos
                    break threads  // lower-priority threads lose to this match
                case .char(let c, let fold):
                    if pos < input.count, input[pos] == c || (fold && CELRegex.foldEqual(input[pos], c)) {
                        addThread(&next, pc + 1, pos + 1, start: start, input, &stack)
                    }
                case .any(let nl):
                    if pos < input.count, nl || input[pos] != 10 {
                        addThread(&next, pc + 1, pos + 1, start: start, input, &stack)
                    }
                case .charClass(let cls):
                    if pos < input.count, cls.contains(input[pos]) {
                        addThread(&next, pc + 1, pos + 1, start: start, input, &stack)
                    }
                default:
                    break
                }
            }
            swap(&current, &next)
            pos += 1
        }
        return matched
    }
}
