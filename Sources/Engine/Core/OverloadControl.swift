/// Load shedding (RFC 7339's idea, done locally): the driver reports the engine's own lag, and
/// past a limit new INVITEs are answered 503 with Retry-After at once, before routing or relay
/// ports, while in-dialog requests and admitted calls are served as usual. Shedding starts only
/// when the limit is exceeded in `sustained` reports in a row (a loop that is behind stays behind;
/// one late wake-up, e.g. the thread preempted on a busy 2-core machine, is not overload: a single
/// 164 ms spike at 700 calls/s made `ccbench calls` refuse 224 calls before this rule), and stops
/// below half of it (hysteresis), so the engine does not flap.
public struct OverloadControl: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// How late the SIP loop may run a task due now (a loop that late has datagrams waiting).
        public var maxLoopLag: Duration
        /// SIP transactions in flight (0: no limit). Non-INVITE server transactions live 32 s
        /// (Timer J), so a busy engine holds tens of thousands; size this from `ccbench calls`.
        public var maxTransactions: Int

        public init(maxLoopLag: Duration = .milliseconds(50), maxTransactions: Int = 0) {
            self.maxLoopLag = maxLoopLag
            self.maxTransactions = maxTransactions
        }
    }

    /// What the driver measures, every `LoadReport.interval`.
    public struct LoadReport: Sendable, Equatable {
        public static let interval: Duration = .milliseconds(100)
        public var loopLag: Duration
        public var transactions: Int

        public init(loopLag: Duration, transactions: Int) {
            self.loopLag = loopLag
            self.transactions = transactions
        }
    }

    /// Reports in a row over the limit before shedding starts (300 ms at one report per 100 ms).
    public static let sustained = 3
    public let limits: Limits
    public private(set) var shedding = false
    private var overInARow = 0
    public private(set) var last = LoadReport(loopLag: .zero, transactions: 0)
    /// Calls refused since the last log line, and when that line was.
    private var refusedSinceLog = 0
    private var refusedTotal = 0
    private var loggedAt: Duration?

    public init(limits: Limits) { self.limits = limits }

    /// A new measurement; returns a log line when shedding starts or stops.
    public mutating func report(_ load: LoadReport, now: Duration) -> String? {
        last = load
        let over = load.loopLag > limits.maxLoopLag || (limits.maxTransactions > 0 && load.transactions > limits.maxTransactions)
        let calm = load.loopLag <= limits.maxLoopLag / 2 && (limits.maxTransactions == 0 || load.transactions <= limits.maxTransactions * 8 / 10)
        overInARow = over ? overInARow + 1 : 0
        if !shedding && overInARow >= Self.sustained {
            shedding = true
            loggedAt = now
            return "overload: refusing new calls with 503 (loop lag \(Self.ms(load.loopLag)) ms, \(load.transactions) transactions in flight)"
        }
        if shedding && calm {
            shedding = false
            defer { refusedSinceLog = 0; refusedTotal = 0 }
            return "overload over: accepting new calls again (\(refusedTotal) refused while shedding; loop lag \(Self.ms(load.loopLag)) ms)"
        }
        if shedding, refusedSinceLog > 0, let at = loggedAt, now - at >= .seconds(1) {
            defer { refusedSinceLog = 0; loggedAt = now }
            return "overload: \(refusedSinceLog) new calls refused with 503 in the last \(Self.ms(now - at)) ms (loop lag \(Self.ms(load.loopLag)) ms, \(load.transactions) transactions)"
        }
        return nil
    }

    /// Whether a new call is admitted now (counted when not).
    public mutating func admit() -> Bool {
        guard shedding else { return true }
        refusedSinceLog += 1
        refusedTotal += 1
        return false
    }

    static func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }
}
