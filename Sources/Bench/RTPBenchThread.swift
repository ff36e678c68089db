import Foundation
import Primitives

#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for a bench's load or reference loop, so its pacing and its CPU time are
/// its own (a Dispatch or Swift-concurrency worker would share both with whatever else runs).
final class BenchThread: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            body()
            finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    func join() { finished.wait() }
}

/// A flag one thread raises and another polls (lock-protected: polled a few thousand times a
/// second at most, so the lock costs nothing measurable).
final class BenchFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func raise() { lock.withLock { raised = true } }
    var isRaised: Bool { lock.withLock { raised } }
}

enum BenchClock {
    /// CPU time (user + system) of the calling thread, from `CLOCK_THREAD_CPUTIME_ID`.
    static func threadCPUNanos() -> UInt64 { ThreadCPUClock.nanos() }

    /// Wall-clock nanoseconds, the clock of the kernel's `SO_TIMESTAMPNS` receive stamps.
    static func realtimeNanos() -> Int64 { Int64(bitPattern: read(CLOCK_REALTIME)) }

    /// CPU time (user + system) of the whole process, from `getrusage(RUSAGE_SELF)`.
    static func processCPUNanos() -> UInt64 {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func nanos(_ t: timeval) -> UInt64 { UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_usec) * 1_000 }
        return nanos(usage.ru_utime) + nanos(usage.ru_stime)
    }

    /// Sleeps until an absolute `CLOCK_MONOTONIC` time (the schedule never drifts by the sleeps).
    static func sleep(untilMonotonic nanos: UInt64) {
        var ts = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }

    /// The 1, 5 and 15 minute load averages, for the report's context (a shared machine).
    static func loadAverage() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return [] }
        return text.split(separator: " ").prefix(3).compactMap { Double($0) }
    }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
