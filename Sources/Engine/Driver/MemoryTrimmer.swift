import Dispatch
import Glibc

/// Gives memory back to the system after a burst. The engine's state per call and per
/// transaction is freed when they end (a non-INVITE server transaction lives 32 s, Timer J), but
/// glibc keeps freed heap pages in its arenas, so the resident size after a burst of 2,000 calls/s
/// stayed at its peak, idle. When the transactions in flight have fallen to a tenth of their peak
/// since the last trim (the burst is over: they live 32 s), `malloc_trim(0)` runs on a utility
/// thread, at most every `interval`; then again every `interval`, up to `followUps` times, while
/// the count does not grow (by more than a tenth): the burst's last transactions end over the next 32-37 s (Timers J,
/// H, I), and what they free after the first trim stayed resident (`ccbench flood` at 1,000,000
/// datagrams: +24.8 MB a minute after, with a live heap of ~4 MB). Not under load: trimming
/// locks each malloc arena in turn while it walks it, which stalls any thread allocating
/// meanwhile, the SIP loop included.
struct MemoryTrimmer {
    static let interval: Duration = .seconds(10)
    static let followUps = 5
    private var peak = 0
    private var lastTrim: Duration = .zero
    private var atLastTrim = 0
    private var followUpsLeft = 0

    /// Called with each load report; trims (and returns true) when the load has fallen since the peak.
    @discardableResult
    mutating func observe(transactions: Int, now: Duration) -> Bool {
        peak = max(peak, transactions)
        guard now - lastTrim >= Self.interval else { return false }
        if peak >= 1_000, transactions <= peak / 10 {
            followUpsLeft = Self.followUps
        } else if followUpsLeft > 0, transactions <= atLastTrim + Swift.max(10, atLastTrim / 10) {
            followUpsLeft -= 1
        } else {
            if followUpsLeft > 0 { followUpsLeft = 0 }  // load again (the count grew): wait for its own end
            return false
        }
        lastTrim = now
        peak = transactions
        atLastTrim = transactions
        DispatchQueue.global(qos: .utility).async { _ = Self.mallocTrim?(0) }
        return true
    }

    /// glibc's `malloc_trim` (malloc.h is not in Swift's Glibc module), looked up once.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
}
