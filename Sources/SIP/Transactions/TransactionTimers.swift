/// RFC 3261 §17.1.1.1 and Table 4: the timer values, as configuration.
public struct TransactionTimers: Sendable, Equatable {
    /// RTT estimate (default 500 ms): base of Timers A, E, G and of every 64*T1 timeout.
    public var t1: Duration
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    public var t2: Duration
    /// Maximum time a message stays in the network (default 5 s): Timers I and K.
    public var t4: Duration
    /// Timer D, the wait for response retransmissions in Completed (§17.1.1.2: at least 32 s on UDP).
    public var timerD: Duration
    /// When the server INVITE transaction sends `100 Trying` by itself (§17.2.1: "unless it knows
    /// that the TU will generate a provisional or final response within 200 ms"). `nil` leaves the
    /// 100 to the TU; `.zero` sends it at once.
    public var tryingDelay: Duration?

    public init(
        t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5),
        timerD: Duration = .seconds(32), tryingDelay: Duration? = .milliseconds(200)
    ) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
        self.timerD = timerD
        self.tryingDelay = tryingDelay
    }

    /// 64*T1: Timers B, F, H, J (RFC 3261 Table 4) and L, M (RFC 6026 §7.1, §7.2).
    public var transactionTimeout: Duration { t1 * 64 }
}

/// The timers of RFC 3261 Table 4 and RFC 6026, plus `trying` for the automatic 100 (Trying).
public enum TransactionTimer: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case a = "A", b = "B", d = "D", e = "E", f = "F", g = "G", h = "H", i = "I", j = "J", k = "K"
    case l = "L", m = "M"
    case trying = "100"

    public var description: String { "Timer \(rawValue)" }
}

/// What one transaction state machine asks of its owner. `startTimer` replaces an armed timer of
/// the same name; the machine ignores a `timerFired` for a timer it no longer has armed, or one
/// that fires before its deadline, so a driver that loses a cancel is harmless.
public enum TransactionAction: Equatable, Sendable {
    /// Send this message to the transaction's peer.
    case transmit(SIPMessage)
    /// Server transaction created: pass the request to the TU (exactly once per transaction).
    case deliverRequest(SIPMessage)
    /// Client transaction: pass this response to the TU.
    case deliverResponse(SIPMessage)
    /// RFC 6026 §7.1: an ACK matched an INVITE server transaction in Accepted; it belongs to the TU.
    case deliverAck(SIPMessage)
    /// Timer B, F (no final response) or H (no ACK) fired: tell the TU the transaction failed.
    case timedOut
    /// The transport reported a failure sending for this transaction.
    case transportError
    case startTimer(TransactionTimer, at: Duration)
    case cancelTimer(TransactionTimer)
    /// The transaction is over; its owner drops it. Every armed timer was cancelled before this.
    case terminated
}

/// The timers one transaction has armed, with their deadlines. Internal bookkeeping that turns
/// arming and disarming into actions, so no transaction forgets to cancel a timer it leaves behind.
struct ArmedTimers: Sendable, Equatable {
    private var deadlines: [TransactionTimer: Duration] = [:]

    mutating func start(_ timer: TransactionTimer, at deadline: Duration) -> TransactionAction {
        deadlines[timer] = deadline
        return .startTimer(timer, at: deadline)
    }

    mutating func cancel(_ timer: TransactionTimer) -> [TransactionAction] {
        deadlines.removeValue(forKey: timer) == nil ? [] : [.cancelTimer(timer)]
    }

    /// True when `timer` is armed and due at `now`; it is then no longer armed.
    mutating func fire(_ timer: TransactionTimer, now: Duration) -> Bool {
        guard let deadline = deadlines[timer], now >= deadline else { return false }
        deadlines[timer] = nil
        return true
    }

    /// Cancels every armed timer, then terminates.
    mutating func terminate() -> [TransactionAction] {
        let armed = TransactionTimer.allCases.filter { deadlines[$0] != nil }
        deadlines = [:]
        return armed.map { .cancelTimer($0) } + [.terminated]
    }

    func deadline(_ timer: TransactionTimer) -> Duration? { deadlines[timer] }
}
