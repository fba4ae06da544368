import Foundation
import XfnCore

/// How one Function runs in a container, from crossplane render's `runtime-docker-*` annotations.
struct ContainerSettings: Sendable, Equatable {
    enum Cleanup: String, Sendable, CaseIterable {
        /// Stop and remove the container after the render (crossplane's default).
        case remove = "Remove"
        /// Stop it but keep it, for `logs` or `start` later.
        case stop = "Stop"
        /// Leave it running, e.g. to reuse it by name in the next render.
        case orphan = "Orphan"
    }

    enum PullPolicy: String, Sendable, CaseIterable {
        case ifNotPresent = "IfNotPresent"
        case always = "Always"
        case never = "Never"

        /// The engine's `run --pull` value.
        var flag: String {
            switch self {
            case .ifNotPresent: "missing"
            case .always: "always"
            case .never: "never"
            }
        }
    }

    static let cleanupAnnotation = "render.crossplane.io/runtime-docker-cleanup"
    static let pullPolicyAnnotation = "render.crossplane.io/runtime-docker-pull-policy"
    static let imageAnnotation = FunctionRuntimeKind.dockerImageAnnotation
    static let nameAnnotation = "render.crossplane.io/runtime-docker-name"
    static let envAnnotation = "render.crossplane.io/runtime-docker-env"
    static let publishAddressAnnotation = "render.crossplane.io/runtime-docker-publish-address"
    static let targetAnnotation = "render.crossplane.io/runtime-docker-target"
    static let defaultPublishAddress = "127.0.0.1"

    var image: String
    var cleanup: Cleanup = .remove
    var pullPolicy: PullPolicy = .ifNotPresent
    var name: String?
    /// `KEY=VALUE` entries, in the annotation's order.
    var environment: [String] = []
    var publishAddress: String = defaultPublishAddress
    var target: String?

    init(image: String) { self.image = image }

    init(function: Value) throws {
        let name = function.name
        let annotations = function.annotations
        let image = Self.nonEmpty(annotations[Self.imageAnnotation]) ?? function.value(at: ["spec", "package"])?.stringValue ?? ""
        guard !image.isEmpty else {
            throw RenderError(.input, "function \"\(name)\" has no spec.package",
                              hint: "set spec.package or the \(Self.imageAnnotation) annotation to the image to run")
        }
        self.init(image: image)
        cleanup = try Self.choice(annotations[Self.cleanupAnnotation], of: Cleanup.self, default: .remove,
                                  annotation: Self.cleanupAnnotation, function: name)
        pullPolicy = try Self.choice(annotations[Self.pullPolicyAnnotation], of: PullPolicy.self, default: .ifNotPresent,
                                     annotation: Self.pullPolicyAnnotation, function: name)
        self.name = Self.nonEmpty(annotations[Self.nameAnnotation])
        // Like crossplane: comma-separated pairs, and a piece without '=' is dropped.
        environment = (annotations[Self.envAnnotation] ?? "").split(separator: ",").map(String.init).filter { $0.contains("=") }
        publishAddress = Self.nonEmpty(annotations[Self.publishAddressAnnotation]) ?? Self.defaultPublishAddress
        target = Self.nonEmpty(annotations[Self.targetAnnotation])
    }

    /// The host to dial: the target annotation, else the published address, where a wildcard means
    /// this machine.
    var dialHost: String {
        if let target { return target }
        switch publishAddress {
        case "0.0.0.0": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return publishAddress.hasPrefix("[") && publishAddress.hasSuffix("]")
            ? String(publishAddress.dropFirst().dropLast()) : publishAddress
        }
    }

    /// The `-p` value publishing port 9443 on an ephemeral port of `publishAddress`.
    var publishFlag: String {
        let host = publishAddress.contains(":") && !publishAddress.hasPrefix("[") ? "[\(publishAddress)]" : publishAddress
        return "\(host)::9443"
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A value of the annotation's set, matched without regard to case; absent or empty means the default.
    private static func choice<Choice: RawRepresentable & CaseIterable>(
        _ text: String?, of: Choice.Type, default fallback: Choice, annotation: String, function: String
    ) throws -> Choice where Choice.RawValue == String {
        guard let text = nonEmpty(text) else { return fallback }
        if let match = Choice.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return match }
        let allowed = Choice.allCases.map(\.rawValue).joined(separator: ", ")
        throw RenderError(.input, "function \"\(function)\": unknown \(annotation) annotation \"\(text)\"",
                          hint: "use one of \(allowed) (the default is \(fallback.rawValue))")
    }
}
