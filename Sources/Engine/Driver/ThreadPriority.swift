import Glibc

/// How the engine's latency-critical threads (the SIP loop and the RTP relay workers) are
/// scheduled. The record store's writer and everything else stay at normal priority.
///
/// On a loaded host, a SIP loop thread at normal priority waits behind whatever else is runnable
/// (on this 2-core machine: the load generator itself), and that wait is most of the end-to-end
/// tail (`ccbench routing --e2e`). Asterisk (`-p`) and FreeSWITCH (`-rp`) offer the same choice.
public enum ThreadPriority: String, Sendable, CaseIterable {
    /// The scheduler's default (SCHED_OTHER, nice 0).
    case normal
    /// SCHED_OTHER at nice -10: ahead of normal threads in CPU share, still time-shared.
    case high
    /// SCHED_RR at priority 10: runs before every normal thread. Linux keeps 5% of each CPU for
    /// normal threads (`/proc/sys/kernel/sched_rt_runtime_us`), so a runaway thread cannot lock
    /// the machine. Needs root or CAP_SYS_NICE.
    case realtime

    static let niceHigh: Int32 = -10
    static let realtimePriority: Int32 = 10
    /// Linux: threads this thread creates start at normal priority (SCHED_OTHER, nice 0). A
    /// thread inherits its creator's scheduling, and libdispatch grows its pool from whichever
    /// thread enqueues work, so without it the record store's writer could run realtime.
    /// (<bits/sched.h> defines it only under _GNU_SOURCE, so Swift does not see it.)
    static let resetOnFork: Int32 = 0x4000_0000

    /// Applies this priority to the calling thread. Returns nil on success, else why not (the
    /// thread then keeps the scheduling it had).
    public func applyToCurrentThread() -> String? {
        // sched_setscheduler and setpriority with id 0 act on the calling thread only: Linux
        // keeps the policy and the nice value per thread (the kernel's `current`).
        var param = sched_param(sched_priority: 0)
        switch self {
        case .normal:
            return nil
        case .high:
            guard sched_setscheduler(0, Int32(SCHED_OTHER) | Self.resetOnFork, &param) == 0,
                  setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceHigh) == 0 else {
                return "cannot set nice \(Self.niceHigh): \(String(cString: strerror(errno))) (needs root or CAP_SYS_NICE)"
            }
            return nil
        case .realtime:
            param.sched_priority = Self.realtimePriority
            guard sched_setscheduler(0, Int32(SCHED_RR) | Self.resetOnFork, &param) == 0 else {
                return "cannot set SCHED_RR \(Self.realtimePriority): \(String(cString: strerror(errno))) (needs root or CAP_SYS_NICE)"
            }
            return nil
        }
    }
}
