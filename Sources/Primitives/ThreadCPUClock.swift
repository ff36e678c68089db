#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time (user + system) the calling thread has used, from `CLOCK_THREAD_CPUTIME_ID`: the
/// bench's per-thread costs and the engine's SIP thread occupancy read the same clock.
public enum ThreadCPUClock {
    /// Nanoseconds of CPU the calling thread has used since it started.
    public static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }
}
