import Synchronization
import Testing
@testable import XfnSchema

@Suite struct OnceReferenceTests {
    private final class Box: Sendable {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    private final class Holder: Sendable {
        let reference = OnceReference<Box>()
    }

    @Test func theFirstStoreWinsAndEveryCallerGetsIt() async {
        let holder = Holder()
        #expect(holder.reference.load() == nil)
        let kept = await withTaskGroup(of: Int.self) { group in
            for id in 0..<64 { group.addTask { holder.reference.storeIfNil(Box(id)).id } }
            var ids: Set<Int> = []
            for await id in group { ids.insert(id) }
            return ids
        }
        #expect(kept.count == 1)
        #expect(holder.reference.load()?.id == kept.first)
    }

    @Test func theStoredInstanceIsReleasedWithItsHolder() {
        weak var stored: Box?
        weak var refused: Box?
        do {
            let holder = Holder()
            let first = Box(1)
            let second = Box(2)
            stored = first
            refused = second
            #expect(holder.reference.storeIfNil(first) === first)
            #expect(holder.reference.storeIfNil(second) === first)
        }
        #expect(stored == nil)
        #expect(refused == nil)
    }
}
