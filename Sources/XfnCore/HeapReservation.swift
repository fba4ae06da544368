#if canImport(Glibc)
import Glibc
#endif

/// Grows the calling thread's malloc heap once, by a lot, before a batch of parallel work.
///
/// glibc extends a thread's heap a page or so at a time, and each extension is an `mprotect`,
/// which takes the process's memory-map lock for writing. Every page fault takes the same lock for
/// reading, so with threads reading files into fresh buffers and building values, faults waited
/// on extensions: a warm validation of a thousand resources kept its two cores only 70% busy.
/// After one large block is freed, the heap keeps its enlarged protection and later growth within
/// it costs no system call; the pages themselves are still only faulted in when used.
enum HeapReservation {
    /// What one worker's heap is grown by: at most glibc's largest dynamic mmap threshold (32 MiB),
    /// and well under the 64 MiB a thread heap may span.
    static let size = 30 << 20

    /// A block this large is first a mapping of its own; freeing it raises glibc's mmap threshold
    /// to its size (and the trim threshold to twice that), so the next one comes from the heap and
    /// stays there once freed.
    private static let raisedThreshold: Bool = {
        allocateAndFree()
        return true
    }()

    static func reserveForThisThread() {
        guard raisedThreshold else { return }
        allocateAndFree()
    }

    /// The block escapes to a call the optimizer cannot see through, which would otherwise remove
    /// an allocation nothing uses; clearing one byte faults in one page.
    private static func allocateAndFree() {
        #if canImport(Glibc)
        guard let block = malloc(size) else { return }
        explicit_bzero(block, 1)
        free(block)
        #endif
    }
}
