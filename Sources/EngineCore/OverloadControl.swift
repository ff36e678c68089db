/// Load shedding (RFC 7339's idea, done locally): the driver reports the engine's own lag, and
/// past a limit new INVITEs are answered 503 with Retry-After at once, before routing or relay
/// ports, while in-dialog requests and admitted calls are served as usual. Shedding starts only
/// when the limit is exceeded in `sustained` reports in a row (a loop that is behind stays behind;
/// one late wake-up, e.g. the thread preempted on a busy 2-core machine, is not overload: a single
/// 164 ms spike at 700 calls/s made `ccbench calls` refuse 224 calls before this rule). While
/// shedding, calls are admitted at a rate found by AIMD (see `rate`); shedding ends after a second
/// with no backlog and nothing refused.
public struct OverloadControl: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// How late the SIP loop may run a task due now (a loop that late has datagrams waiting).
        public var maxLoopLag: Duration
        /// SIP transactions in flight (0: no limit). Non-INVITE server transactions live 32 s
        /// (Timer J), so a busy engine holds tens of thousands; size this from `ccbench calls`.
        public var maxTransactions: Int
        /// Bytes of datagrams waiting in the SIP socket's receive buffer (kernel accounting,
        /// `SO_MEMINFO`). The loop's lag alone misses this backlog: NIO runs a task due between
        /// two read batches even while thousands of datagrams wait (measured: INVITE -> agent
        /// INVITE p50 587 ms at 2,100 calls/s with a loop lag under 50 ms).
        public var maxQueuedBytes: Int

        public init(maxLoopLag: Duration = .milliseconds(50), maxTransactions: Int = 0, maxQueuedBytes: Int = 512 * 1024) {
            self.maxLoopLag = maxLoopLag
            self.maxTransactions = maxTransactions
            self.maxQueuedBytes = maxQueuedBytes
        }
    }

    /// What the driver measures, every `LoadReport.interval`.
    public struct LoadReport: Sendable, Equatable {
        public static let interval: Duration = .milliseconds(100)
        public var loopLag: Duration
        public var transactions: Int
        /// Bytes waiting in the SIP socket's receive buffer.
        public var queuedBytes: Int

        public init(loopLag: Duration, transactions: Int, queuedBytes: Int = 0) {
            self.loopLag = loopLag
            self.transactions = transactions
            self.queuedBytes = queuedBytes
        }
    }

    /// Reports in a row over the limit before shedding starts (300 ms at one report per 100 ms).
    public static let sustained = 3
    /// Calm reports in a row, with nothing refused, before shedding ends.
    public static let calmToEnd = 10
    public let limits: Limits
    public private(set) var shedding = false
    private var overInARow = 0
    private var calmInARow = 0
    public private(set) var last = LoadReport(loopLag: .zero, transactions: 0)
    /// While shedding, new calls are admitted at `rate` per second (a token bucket), adjusted each
    /// report as TCP adjusts its window (AIMD): cut by 15 % while the backlog above half the limit
    /// grows, held while it shrinks, raised by 5 % once it is below. A plain on/off switch flapped every second at 3x
    /// the sustained load: the backlog drained while everything was refused, then refilled.
    public private(set) var rate: Double = 0
    private var tokens: Double = 0
    private var lastAdmit: Duration?
    /// Calls admitted since the last report (the rate shedding starts from).
    private var admittedRecently = 0
    /// Calls refused since the last log line, and when that line was.
    private var refusedSinceLog = 0
    private var refusedSinceReport = 0
    private var refusedTotal = 0
    private var loggedAt: Duration?

    public init(limits: Limits) { self.limits = limits }

    /// A new measurement; returns a log line when shedding starts or stops, and once a second
    /// while it lasts.
    public mutating func report(_ load: LoadReport, now: Duration) -> String? {
        let previous = last
        last = load
        let over = load.loopLag > limits.maxLoopLag || load.queuedBytes > limits.maxQueuedBytes
            || (limits.maxTransactions > 0 && load.transactions > limits.maxTransactions)
        let backlog = load.loopLag > limits.maxLoopLag / 2 || load.queuedBytes > limits.maxQueuedBytes / 2
            || (limits.maxTransactions > 0 && load.transactions > limits.maxTransactions * 8 / 10)
        overInARow = over ? overInARow + 1 : 0
        let admitted = admittedRecently, refused = refusedSinceReport
        admittedRecently = 0
        refusedSinceReport = 0
        if !shedding {
            guard overInARow >= Self.sustained else { return nil }
            shedding = true
            calmInARow = 0
            // Half of what came in the last report's interval, as TCP halves its window.
            rate = max(10, Double(admitted) / (LoadReport.interval).seconds / 2)
            tokens = 0
            loggedAt = now
            return "overload: admitting \(Int(rate)) new calls/s, refusing the rest with 503 (loop lag \(Self.ms(load.loopLag)) ms, \(load.queuedBytes / 1024) KB waiting in the SIP socket, \(load.transactions) transactions in flight)"
        }
        // Cut only while the backlog grows (a cut shows only once the queue has drained a little);
        // hold while it shrinks; raise once it is gone.
        let growing = load.queuedBytes > previous.queuedBytes || load.loopLag > previous.loopLag
            || (limits.maxTransactions > 0 && load.transactions > previous.transactions)
        if !backlog {
            rate = rate * 1.05 + 5
        } else if growing {
            rate = max(10, rate * 0.85)
        }
        calmInARow = !backlog && refused == 0 ? calmInARow + 1 : 0
        if calmInARow >= Self.calmToEnd {
            shedding = false
            defer { refusedSinceLog = 0; refusedTotal = 0 }
            return "overload over: accepting every new call again (\(refusedTotal) refused while shedding; loop lag \(Self.ms(load.loopLag)) ms)"
        }
        if refusedSinceLog > 0, let at = loggedAt, now - at >= .seconds(1) {
            defer { refusedSinceLog = 0; loggedAt = now }
            return "overload: \(refusedSinceLog) new calls refused with 503 in the last \(Self.ms(now - at)) ms, admitting \(Int(rate))/s (loop lag \(Self.ms(load.loopLag)) ms, \(load.queuedBytes / 1024) KB waiting, \(load.transactions) transactions)"
        }
        return nil
    }

    /// Whether a new call is admitted now (counted either way).
    public mutating func admit(now: Duration) -> Bool {
        guard shedding else {
            admittedRecently += 1
            return true
        }
        let elapsed = lastAdmit.map { (now - $0).seconds } ?? 0
        lastAdmit = now
        tokens = min(tokens + elapsed * rate, max(1, rate * 0.1))  // at most 100 ms of burst
        if tokens >= 1 {
            tokens -= 1
            admittedRecently += 1
            return true
        }
        refusedSinceLog += 1
        refusedSinceReport += 1
        refusedTotal += 1
        return false
    }

    static func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
}
