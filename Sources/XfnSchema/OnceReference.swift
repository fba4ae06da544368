import Synchronization

/// A reference set at most once and read without a lock: what the standard library's
/// `AtomicLazyReference` does, but specialized here. Its methods are not inlinable, so every read
/// of a schema node's children went through the runtime's generic metadata lookup, about 3% of a
/// warm validation.
struct OnceReference<Instance: AnyObject & Sendable>: ~Copyable, Sendable {
    /// The instance's address, retained once stored; zero while unset.
    private let bits = Atomic<UInt>(0)

    init() {}

    func load() -> Instance? {
        let stored = bits.load(ordering: .acquiring)
        return stored == 0 ? nil : Self.instance(stored).takeUnretainedValue()
    }

    /// Stores `desired` unless an instance is already there; returns the instance kept.
    func storeIfNil(_ desired: Instance) -> Instance {
        let retained = Unmanaged.passRetained(desired)
        let (exchanged, original) = bits.compareExchange(
            expected: 0, desired: UInt(bitPattern: retained.toOpaque()), ordering: .acquiringAndReleasing)
        if exchanged { return desired }
        retained.release()
        return Self.instance(original).takeUnretainedValue()
    }

    private static func instance(_ stored: UInt) -> Unmanaged<Instance> {
        Unmanaged.fromOpaque(UnsafeRawPointer(bitPattern: stored)!)
    }

    deinit {
        let stored = bits.load(ordering: .acquiring)
        if stored != 0 { Self.instance(stored).release() }
    }
}
