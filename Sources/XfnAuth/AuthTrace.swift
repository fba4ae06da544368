/// Every decision made while looking for a credential and a token, in order, for `xfn auth explain` and
/// for the short summary printed with a 401/403. Steps never hold secrets.
public struct AuthTrace: Sendable {
    public struct Step: Sendable, CustomStringConvertible {
        public enum Outcome: Sendable { case skipped, noMatch, matched, failed, info }
        public let source: String
        public let outcome: Outcome
        public let detail: String

        public var description: String {
            let mark =
                switch outcome {
                case .skipped: "-"
                case .noMatch: "·"
                case .matched: "✓"
                case .failed: "x"
                case .info: " "
                }
            return "\(mark) \(source): \(detail)"
        }
    }

    public private(set) var steps: [Step] = []

    public init() {}

    public mutating func record(_ source: String, _ outcome: Step.Outcome, _ detail: String) {
        steps.append(Step(source: source, outcome: outcome, detail: detail))
    }

    public mutating func append(contentsOf other: AuthTrace) { steps += other.steps }
}
