/// What a client sent and noted, in order. `--verbose` prints it as it happens; tests count from it.
public actor RequestLog {
    public struct Entry: Sendable, CustomStringConvertible {
        public let method: String
        public let url: String
        public let status: Int?
        public var description: String { "\(method) \(url)" + (status.map { " → \($0)" } ?? "") }
    }

    public private(set) var entries: [Entry] = []
    public private(set) var notes: [String] = []
    private var observer: (@Sendable (String) -> Void)?

    public init() {}

    public func observe(_ observer: @escaping @Sendable (String) -> Void) { self.observer = observer }

    func record(method: String, url: String, status: Int?) {
        let entry = Entry(method: method, url: url, status: status)
        entries.append(entry)
        observer?(entry.description)
    }

    func note(_ text: String) {
        notes.append(text)
        observer?(text)
    }

    public var requestCount: Int { entries.count }
}
