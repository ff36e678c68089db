import Glibc

/// The process's file descriptor table, grown once at start to hold every relay socket. The
/// kernel grows the table by doubling when a new descriptor does not fit, and in a threaded
/// process each growth waits for an RCU grace period (`expand_fdtable`): measured here, binding a
/// call's relay ports on the SIP loop stalled it for 5-24 ms each time the engine's sockets
/// passed 2,048, 4,096 and 8,192 under load. A table never shrinks, so growing it before the
/// first call removes those stalls.
public enum DescriptorTable {
    /// Grows the table to hold descriptors below `count` (raising the soft `RLIMIT_NOFILE` up to
    /// the hard limit when it is lower). Returns a problem to log when `count` is out of reach.
    @discardableResult
    public static func reserve(_ count: Int) -> String? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        var problem: String?
        if limit.rlim_cur < rlim_t(count) {
            let raised = min(rlim_t(count), limit.rlim_max)
            var wanted = limit
            wanted.rlim_cur = raised
            if raised > limit.rlim_cur, setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &wanted) == 0 { limit.rlim_cur = raised }
            if limit.rlim_cur < rlim_t(count) {
                problem = "the open-file limit (RLIMIT_NOFILE) is \(limit.rlim_cur), below the \(count) descriptors the relay's port range may need; raise it (ulimit -n) or narrow media.rtp_ports"
            }
        }
        // The lowest free descriptor at or above the top: the table grows to hold it, then it goes.
        let top = Int32(min(rlim_t(count), limit.rlim_cur)) - 1
        guard top > 0 else { return problem }
        let base = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard base >= 0 else { return problem }
        let fd = fcntl(base, F_DUPFD_CLOEXEC, top)
        if fd >= 0 { close(fd) }
        close(base)
        return problem
    }
}
