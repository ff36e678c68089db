/// RFC 3261 §13.3.1.4: the UAS core, not the transaction, retransmits its 2xx to an INVITE until
/// the ACK arrives: at T1, doubling up to T2, giving up after 64*T1 (then the TU should send BYE,
/// and the session is over). A pure value for the TU (one per accepted INVITE); each
/// `.retransmit` goes back through `TransactionLayer.send(response:now:)`.
public struct ServerDialog2xxRetransmitter: Sendable, Equatable {
    public enum Timer: String, Hashable, Sendable {
        /// Next retransmission of the 2xx.
        case retransmit
        /// 64*T1 after the first 2xx: the ACK never came.
        case giveUp
    }

    public enum Action: Equatable, Sendable {
        case retransmit(SIPMessage)
        case startTimer(Timer, at: Duration)
        case cancelTimer(Timer)
        /// §13.3.1.4: no ACK within 64*T1: confirm the dialog, then end it with a BYE.
        case ackTimedOut
    }

    public enum State: Equatable, Sendable {
        case waitingForAck, acknowledged, gaveUp
    }

    public private(set) var state: State
    public let response: SIPMessage
    private let timers: TransactionTimers
    private var interval: Duration
    private var retransmitAt: Duration?
    private var giveUpAt: Duration?

    private init(response: SIPMessage, timers: TransactionTimers) {
        self.state = .waitingForAck
        self.response = response
        self.timers = timers
        self.interval = timers.t1
    }

    /// Call right after the first 2xx went out (the TU sends it; this only schedules repeats).
    /// On a reliable transport only the give-up timer runs (§13.3.1.4: retransmissions are for
    /// unreliable transports, the ACK wait is not).
    public static func start(
        response: SIPMessage, now: Duration, timers: TransactionTimers = .init(), reliableTransport: Bool = false
    ) -> (ServerDialog2xxRetransmitter, [Action]) {
        precondition(response.status.map { (200..<300).contains($0) } == true, "only a 2xx is retransmitted by the TU")
        var r = ServerDialog2xxRetransmitter(response: response, timers: timers)
        var actions: [Action] = []
        if !reliableTransport {
            r.retransmitAt = now + timers.t1
            actions.append(.startTimer(.retransmit, at: now + timers.t1))
        }
        r.giveUpAt = now + timers.transactionTimeout
        actions.append(.startTimer(.giveUp, at: now + timers.transactionTimeout))
        return (r, actions)
    }

    /// The ACK for this 2xx arrived (the TU matched it by dialog and CSeq, §13.3.1.4).
    public mutating func receivedAck(now: Duration) -> [Action] {
        guard state == .waitingForAck else { return [] }
        state = .acknowledged
        return cancelAll()
    }

    public mutating func timerFired(_ timer: Timer, now: Duration) -> [Action] {
        guard state == .waitingForAck else { return [] }
        switch timer {
        case .retransmit:
            guard let at = retransmitAt, now >= at else { return [] }
            interval = min(interval * 2, timers.t2)
            retransmitAt = now + interval
            return [.retransmit(response), .startTimer(.retransmit, at: now + interval)]
        case .giveUp:
            guard let at = giveUpAt, now >= at else { return [] }
            state = .gaveUp
            giveUpAt = nil
            return cancelAll() + [.ackTimedOut]
        }
    }

    private mutating func cancelAll() -> [Action] {
        var actions: [Action] = []
        if retransmitAt != nil { actions.append(.cancelTimer(.retransmit)) }
        if giveUpAt != nil { actions.append(.cancelTimer(.giveUp)) }
        retransmitAt = nil
        giveUpAt = nil
        return actions
    }
}
