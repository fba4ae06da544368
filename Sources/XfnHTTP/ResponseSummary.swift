import Foundation

/// The first part of an error body, flattened to one line, for messages.
public enum ResponseSummary {
    public static func text(of body: Data, limit: Int = 300) -> String {
        let text = String(decoding: body.prefix(limit), as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? "(empty body)" : text + (body.count > limit ? "…" : "")
    }
}
