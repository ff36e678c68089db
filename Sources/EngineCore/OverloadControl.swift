import Primitives
/// Load shedding (RFC 7339's idea, done locally): the driver reports the engine's own lag, and
/// past a limit new INVITEs are answered 503 with Retry-After at once, before routing or relay
/// ports, while in-dialog requests and admitted calls are served as usual. Shedding starts only
/// when the limit is exceeded in `sustained` reports in a row (a loop that is behind stays behind;
/// one late wake-up, e.g. the thread preempted on a busy 2-core machine, is not overload: a single
/// 164 ms spike at 700 calls/s made `ccbench calls` refuse 224 calls before this rule). While
/// shedding, calls are admitted at a rate found by AIMD (see `rate`); shedding ends after a second
/// with no backlog and nothing refused (or, with an occupancy aim, every offered call fitting).
///
/// Between reports, the driver tells the SIP socket's backlog as it reads (`backlog`). While
/// shedding, a new call is admitted only when at most `admitQueuedBytes` waited then (a call
/// admitted behind a long queue is a slow call: its INVITE waited for everything ahead of it), so
/// the queue an admitted INVITE waited in stays short whatever the AIMD rate does; and a backlog
/// above that which keeps growing over `onsetWindow` while the loop reads starts shedding at once,
/// without waiting for three 100 ms reports (a queue that shrinks is a stall being caught up, and
/// one that grew while the loop did not read is a stall, not overload).
///
/// Each report also carries the SIP thread's occupancy (its CPU time over the interval). A
/// saturated thread starts shedding at once, and while shedding the admission rate aims at
/// `Limits.targetOccupancy`: the backlog signals alone admitted what a saturated thread can take,
/// at its latency (INVITE -> agent INVITE p99 x4-x8 the unloaded figure at 3x load).
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
        /// While shedding, a new call is admitted only if at most this many bytes waited in the SIP
        /// socket when last measured (every 32 datagrams read) (0: no such gate).
        public var admitQueuedBytes: Int
        /// A backlog above this many bytes that grows over `onsetWindow` while the loop reads starts
        /// shedding at once (0: only the 100 ms reports start it). Apart from the gate: a gate
        /// this small at the onset would shed the ordinary jitter of a busy engine.
        public var onsetQueuedBytes: Int
        /// While shedding, a new call is admitted only if the SIP socket was last seen empty at
        /// most this long ago, so its INVITE waited no longer than that (zero: no such bound). The
        /// queue gate alone admitted INVITEs read at the end of a stall: they had waited behind the
        /// whole backlog, but little was left behind them.
        public var admitWait: Duration
        /// New calls per second the engine admits at most, overloaded or not (0: no cap): a
        /// token bucket (100 ms of burst) on every new INVITE, as FreeSWITCH's
        /// `sessions-per-second`. The operator sets it below the capacity `ccbench calls`
        /// measured, so admitted calls keep their unloaded latency; the adaptive shedding above
        /// admits what the engine can take, at the latency of a busy engine.
        public var maxCallsPerSecond: Double
        /// While shedding, the share of its time the SIP thread may be busy (its CPU time over wall
        /// time, 0 to 1; 0: no such aim): over it, the admission rate is cut in proportion. What
        /// an admitted INVITE waits for is the work queued ahead of it, refused INVITEs and their
        /// ACKs included, and that wait grows with the thread's occupancy as in any single-server
        /// queue; the backlog signals above see it only once the thread is saturated, so on their
        /// own they admit what the thread can take, at a saturated thread's latency.
        public var targetOccupancy: Double

        public init(maxLoopLag: Duration = .milliseconds(50), maxTransactions: Int = 0, maxQueuedBytes: Int = 512 * 1024,
                    admitQueuedBytes: Int = 8 * 1024, onsetQueuedBytes: Int = 64 * 1024, admitWait: Duration = .milliseconds(20),
                    maxCallsPerSecond: Double = 0, targetOccupancy: Double = Self.defaultTargetOccupancy) {
            self.maxLoopLag = maxLoopLag
            self.maxTransactions = maxTransactions
            self.maxQueuedBytes = maxQueuedBytes
            self.admitQueuedBytes = admitQueuedBytes
            self.onsetQueuedBytes = onsetQueuedBytes
            self.admitWait = admitWait
            self.maxCallsPerSecond = maxCallsPerSecond
            self.targetOccupancy = targetOccupancy
        }

        public static let defaultTargetOccupancy = 0.6
    }

    /// What the driver measures, every `LoadReport.interval`.
    public struct LoadReport: Sendable, Equatable {
        public static let interval: Duration = .milliseconds(100)
        public var loopLag: Duration
        public var transactions: Int
        /// Bytes waiting in the SIP socket's receive buffer.
        public var queuedBytes: Int
        /// The SIP thread's CPU time over the wall time since the last report (nil: not measured).
        public var occupancy: Double?

        public init(loopLag: Duration, transactions: Int, queuedBytes: Int = 0, occupancy: Double? = nil) {
            self.loopLag = loopLag
            self.transactions = transactions
            self.queuedBytes = queuedBytes
            self.occupancy = occupancy
        }
    }

    /// Reports in a row over the limit before shedding starts (300 ms at one report per 100 ms).
    public static let sustained = 3
    /// Calm reports in a row before shedding ends (see `judge`).
    public static let calmToEnd = 10
    /// A SIP thread busy this share of a report's interval is saturated, which starts shedding at
    /// once, by the queue gate alone as the backlog onset does (the aim sets a rate from the next
    /// report): at 3x load on this machine the engine kept up for 4 s, 100 % busy with its calls'
    /// p99 at 4-7 ms, before a backlog grew, and 300 ms (three reports) before shedding put 150-200
    /// calls at 6-10 ms. CPU time counts only while the thread runs, so a preempted thread (the
    /// 164 ms spike above) does not look saturated; a stall of its own does only if it and its
    /// catching up fill most of a report. While shedding with an aim, a report also counts as calm
    /// (with no backlog) when the thread would stay below this if every new call were admitted
    /// (estimated as its occupancy times offered calls over admitted ones: an upper bound, as the
    /// thread's other work is scaled too), even if calls are still refused: a host whose ordinary
    /// load needs more than `targetOccupancy` but is not saturated would otherwise shed at its
    /// ordinary load for ever after a burst; one that is saturated by its ordinary load sheds it.
    public static let saturated = 0.9
    /// How long the socket's backlog must stay above `onsetQueuedBytes`, and be larger at the end
    /// than at the start, before shedding starts between reports.
    public static let onsetWindow: Duration = .milliseconds(50)
    /// The longest pause between two backlog reports for the loop to count as reading all along.
    public static let readingGap: Duration = .milliseconds(25)
    public let limits: Limits
    public private(set) var shedding = false
    private var overInARow = 0
    private var calmInARow = 0
    public private(set) var last = LoadReport(loopLag: .zero, transactions: 0)
    /// While shedding, new calls are admitted at `rate` per second (a token bucket; infinite while
    /// only the queue gate sheds, see `backlog`), adjusted each
    /// report as TCP adjusts its window (AIMD): cut by 15 % while the backlog above half the limit
    /// grows, held while it shrinks, raised by 5 % once it is below. A plain on/off switch flapped every second at 3x
    /// the sustained load: the backlog drained while everything was refused, then refilled.
    public private(set) var rate: Double = 0
    private var bucket = TokenBucket(tokens: 0)
    /// Calls admitted since the last report (the rate shedding starts from).
    private var admittedRecently = 0
    /// Calls refused since the last log line, and when that line was.
    private var refusedSinceLog = 0
    private var refusedSinceReport = 0
    private var refusedTotal = 0
    private var loggedAt: Duration?
    /// Bytes waiting in the SIP socket when last measured (as the loop reads, and at each report).
    public private(set) var queued = 0
    /// When and at what size the socket's backlog was last seen crossing `onsetQueuedBytes`
    /// (the start of the window `backlog` judges growth over).
    private var backlogSince: BacklogMark?
    private struct BacklogMark: Sendable, Equatable {
        var at: Duration
        var bytes: Int
        /// The longest time between two reports since.
        var longestGap: Duration = .zero
    }
    private var lastReportAt: Duration?
    private var lastBacklogAt: Duration?
    /// When the SIP socket was last seen empty (a datagram read after it arrived after it).
    private var emptyAt: Duration = .zero
    /// The call rate cap's bucket (`Limits.maxCallsPerSecond`), and its refusals since its last
    /// log line (once a second, apart from shedding's).
    private var capBucket: TokenBucket
    private var cappedSinceLog = 0
    private var cappedLoggedAt: Duration = .zero

    public init(limits: Limits) {
        self.limits = limits
        capBucket = TokenBucket(tokens: Self.capBurst(limits.maxCallsPerSecond))  // full at the first call
    }

    private static func capBurst(_ rate: Double) -> Double { max(1, rate * 0.1) }

    /// A new measurement; returns a log line when shedding starts or stops, and once a second
    /// while it lasts or while the call rate cap refuses calls.
    public mutating func report(_ load: LoadReport, now: Duration) -> String? {
        let line = judge(load, now: now)
        guard cappedSinceLog > 0, now - cappedLoggedAt >= .seconds(1) else { return line }
        let cap = "call rate cap: \(cappedSinceLog) new calls refused with 503 over max_calls_per_second \(Int(limits.maxCallsPerSecond))"
        cappedSinceLog = 0
        cappedLoggedAt = now
        return line.map { $0 + "; " + cap } ?? cap
    }

    private mutating func judge(_ load: LoadReport, now: Duration) -> String? {
        let previous = last
        last = load
        queued = load.queuedBytes
        let since = lastReportAt
        lastReportAt = now
        let over = load.loopLag > limits.maxLoopLag || load.queuedBytes > limits.maxQueuedBytes
            || (limits.maxTransactions > 0 && load.transactions > limits.maxTransactions)
        let backlog = load.loopLag > limits.maxLoopLag / 2 || load.queuedBytes > limits.maxQueuedBytes / 2
            || (limits.maxTransactions > 0 && load.transactions > limits.maxTransactions * 8 / 10)
        let target = limits.targetOccupancy
        overInARow = over ? overInARow + 1 : 0
        let admitted = admittedRecently, refused = refusedSinceReport
        admittedRecently = 0
        refusedSinceReport = 0
        let interval = max(since.map { now - $0 } ?? LoadReport.interval, .milliseconds(1))
        if !shedding {
            if overInARow >= Self.sustained {
                // Half of what came in the last report's interval, as TCP halves its window.
                return startShedding(rate: Double(admitted) / interval.seconds / 2, now: now, why: Self.describe(load))
            }
            guard target > 0, let busy = load.occupancy, busy >= Self.saturated else { return nil }
            return startShedding(rate: .infinity, now: now, why: "SIP thread saturated: " + Self.describe(load))
        }
        // Cut only while the backlog grows (a cut shows only once the queue has drained a little);
        // hold while it shrinks; raise once it is gone.
        let growing = load.queuedBytes > previous.queuedBytes || load.loopLag > previous.loopLag
            || (limits.maxTransactions > 0 && load.transactions > previous.transactions)
        if target > 0, let busy = load.occupancy, busy > target {
            // Busier than aimed at: admit in proportion to what was admitted, whichever signal
            // started the shedding, but at most 30 % less per report than the rate in effect (the
            // rate, or what was offered if less; one 100 ms measurement is noisy, and a report in
            // which the queue gate refused most calls admitted few whatever the rate).
            let inEffect = min(rate, Double(admitted + refused) / interval.seconds)
            let aim = max(10, Double(admitted) / interval.seconds * target / busy, 0.7 * inEffect)
            if aim < rate {
                rate = aim
                bucket = TokenBucket(tokens: min(bucket.tokens, max(1, rate * 0.1)), at: now)  // no burst for the time before
            }
        } else if rate.isInfinite {
            // Shedding by the queue gate alone (`backlog`): a rate only once the slower signals
            // show a backlog growing anyway, cut from what was admitted meanwhile.
            if backlog && growing {
                rate = max(10, Double(admitted) / interval.seconds * 0.85)
                bucket.tokens = 0
            }
        } else if !backlog {
            // Raised only while it is what limits admission: above twice what was admitted (the
            // queue gate admits less), raising it would only grow the number in the log line; and
            // only while the thread is below the occupancy aimed at (checked above).
            let used = Double(admitted + refused) / interval.seconds
            if rate < 2 * used { rate = rate * 1.05 + 5 }
        } else if growing {
            rate = max(10, rate * 0.85)
        }
        // Calm: nothing refused, or (with an aim) every offered call would fit below saturation.
        let fits = refused == 0 || (target > 0 && admitted > 0
            && load.occupancy.map { $0 * Double(admitted + refused) / Double(admitted) < Self.saturated } ?? false)
        calmInARow = !backlog && fits ? calmInARow + 1 : 0
        if calmInARow >= Self.calmToEnd {
            shedding = false
            defer { refusedSinceLog = 0; refusedTotal = 0 }
            return "overload over: accepting every new call again (\(refusedTotal) refused while shedding; loop lag \(Self.ms(load.loopLag)) ms)"
        }
        if refusedSinceLog > 0, let at = loggedAt, now - at >= .seconds(1) {
            defer { refusedSinceLog = 0; loggedAt = now }
            return "overload: \(refusedSinceLog) new calls refused with 503 in the last \(Self.ms(now - at)) ms, admitting \(admitting) (\(Self.describe(load)))"
        }
        return nil
    }

    /// The bytes waiting in the SIP socket, told every 32 datagrams read and when a read batch
    /// ends. Returns a log line when shedding starts: over `onsetWindow` the backlog stayed above
    /// `onsetQueuedBytes` and grew while the loop kept reading (no two reports more than
    /// `readingGap` apart). A backlog that
    /// grew while the loop did not read (a stall: one long task, a preempted thread) is caught up
    /// as usual, not shed.
    public mutating func backlog(_ bytes: Int, emptyAt seenEmpty: Duration? = nil, now: Duration) -> String? {
        let gap = lastBacklogAt.map { now - $0 } ?? .zero
        lastBacklogAt = now
        queued = bytes
        if bytes == 0 {
            emptyAt = now
        } else if let seenEmpty {
            emptyAt = max(emptyAt, seenEmpty)
        }
        guard !shedding, limits.onsetQueuedBytes > 0, bytes > limits.onsetQueuedBytes else {
            backlogSince = nil
            return nil
        }
        guard var since = backlogSince else {
            backlogSince = BacklogMark(at: now, bytes: bytes)
            return nil
        }
        since.longestGap = max(since.longestGap, gap)
        backlogSince = since
        guard now - since.at >= Self.onsetWindow else { return nil }
        guard bytes > since.bytes, since.longestGap <= Self.readingGap else {
            backlogSince = BacklogMark(at: now, bytes: bytes)  // judge the next window
            return nil
        }
        backlogSince = nil
        // No admission rate: the queue gate alone keeps admitted calls' wait short (a rate taken
        // from the calls admitted just before would be 10/s after a burst of REGISTERs).
        return startShedding(rate: .infinity, now: now,
                             why: "\(bytes / 1024) KB waiting in the SIP socket, up from \(since.bytes / 1024) KB \(Self.ms(now - since.at)) ms before, reading all along")
    }

    private mutating func startShedding(rate: Double, now: Duration, why: String) -> String {
        shedding = true
        calmInARow = 0
        self.rate = max(10, rate)
        bucket.tokens = 0
        loggedAt = now
        return "overload: admitting \(admitting) while at most \(limits.admitQueuedBytes / 1024) KB wait in the SIP socket, refusing the rest with 503 (\(why))"
    }

    /// The admission rate, for log lines.
    private var admitting: String { rate.isInfinite ? "every new call" : "\(Int(rate)) new calls/s" }

    /// Whether a new call is admitted now (counted either way).
    public mutating func admit(now: Duration) -> Bool {
        guard withinCap(now: now) else {
            cappedSinceLog += 1
            return false
        }
        guard shedding else {
            admittedRecently += 1
            return true
        }
        bucket.refill(rate: rate.isFinite ? rate : 0, burst: max(1, rate * 0.1), now: now)  // at most 100 ms of burst
        if limits.admitQueuedBytes > 0, queued > limits.admitQueuedBytes {
            // Behind a long queue: refused without spending a token.
        } else if limits.admitWait > .zero, queued > 0, now - emptyAt > limits.admitWait {
            // Read from a socket not empty for longer than `admitWait`: this INVITE may have
            // waited that long (the end of a stall), so it is refused like one behind a long queue.
        } else if rate.isInfinite {
            admittedRecently += 1
            return true
        } else if bucket.take() {
            admittedRecently += 1
            return true
        }
        refusedSinceLog += 1
        refusedSinceReport += 1
        refusedTotal += 1
        return false
    }

    /// Takes a token of the call rate cap, if there is a cap.
    private mutating func withinCap(now: Duration) -> Bool {
        let rate = limits.maxCallsPerSecond
        return rate <= 0 || capBucket.take(rate: rate, burst: Self.capBurst(rate), now: now)
    }

    /// The measurements in a log line.
    static func describe(_ load: LoadReport) -> String {
        "loop lag \(ms(load.loopLag)) ms, \(load.queuedBytes / 1024) KB waiting in the SIP socket, \(load.transactions) transactions in flight"
            + (load.occupancy.map { ", SIP thread \(Int(($0 * 100).rounded())) % busy" } ?? "")
    }

    static func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
}
