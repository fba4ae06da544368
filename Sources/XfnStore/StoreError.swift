import XfnCore

public struct StoreError: XfnError {
    public enum Kind: Sendable { case sizeExceeded, sizeMismatch, digestMismatch, missing, corrupt, io }

    public let kind: Kind
    public let detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var message: String { detail }

    public var hint: String? {
        switch kind {
        case .sizeExceeded, .sizeMismatch, .digestMismatch:
            "the download was rejected and nothing was stored; try again, and if it persists the registry serves bad content"
        case .missing: "run `xfn pull` without --offline to fetch it"
        case .corrupt: "run `xfn cache verify` to find and remove damaged blobs, then pull again"
        case .io: nil
        }
    }

    public var exitCode: ExitStatus {
        switch kind {
        case .sizeExceeded, .sizeMismatch, .digestMismatch, .missing: .registry
        default: .failure
        }
    }
}
