/// RFC 3261 §17.1.1 (Figure 5) with RFC 6026 §7.2 (Accepted state, Timer M): the client side of an
/// INVITE transaction, as a value. Every entry point takes `now` and returns actions; the owner
/// transmits, delivers to the TU and arms timers.
public struct ClientInviteTransaction: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case calling, proceeding, completed, accepted, terminated
    }

    public private(set) var state: State
    public let request: SIPMessage
    private let timers: TransactionTimers
    private let reliableTransport: Bool
    private var armed = ArmedTimers()
    /// The interval Timer A was last armed with; it doubles on every firing (§17.1.1.2).
    private var timerAInterval: Duration
    /// The ACK built for the first non-2xx final response, resent for its retransmissions.
    private var ack: SIPMessage?

    private init(request: SIPMessage, timers: TransactionTimers, reliableTransport: Bool) {
        self.state = .calling
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
        self.timerAInterval = timers.t1
    }

    /// "INVITE from TU / INVITE sent": enters Calling. `reliableTransport` defaults to what the top
    /// Via says.
    public static func start(
        request: SIPMessage, now: Duration, timers: TransactionTimers = .init(), reliableTransport: Bool? = nil
    ) -> (ClientInviteTransaction, [TransactionAction]) {
        precondition(request.method == "INVITE", "a client INVITE transaction sends an INVITE")
        var tx = ClientInviteTransaction(
            request: request, timers: timers, reliableTransport: reliableTransport ?? request.travelsOnReliableTransport)
        var actions: [TransactionAction] = [.transmit(request)]
        // §17.1.1.2: Timer A (first T1) only on unreliable transports; Timer B = 64*T1 always.
        if !tx.reliableTransport { actions.append(tx.armed.start(.a, at: now + timers.t1)) }
        actions.append(tx.armed.start(.b, at: now + timers.transactionTimeout))
        return (tx, actions)
    }

    /// A response whose top Via branch and CSeq method matched this transaction (§17.1.3).
    public mutating func receivedResponse(_ response: SIPMessage, now: Duration) -> [TransactionAction] {
        guard let status = response.status else { return [] }
        switch (state, status) {
        case (.calling, 100..<200), (.proceeding, 100..<200):
            // §17.1.1.2: a provisional response stops retransmissions; Timer B only guards Calling,
            // in Proceeding the TU decides (CANCEL) how long to wait.
            state = .proceeding
            return armed.cancel(.a) + armed.cancel(.b) + [.deliverResponse(response)]

        case (.calling, 200..<300), (.proceeding, 200..<300):
            // RFC 6026 §7.2: 2xx goes to the TU (which ACKs it, §13.2.2.4) and the transaction
            // waits in Accepted for Timer M to absorb the other 2xx (forks, retransmissions).
            state = .accepted
            return armed.cancel(.a) + armed.cancel(.b)
                + [.deliverResponse(response), armed.start(.m, at: now + timers.transactionTimeout)]

        case (.accepted, 200..<300):
            // RFC 6026 §7.2: 2xx retransmissions still go to the TU so it can re-ACK them.
            return [.deliverResponse(response)]

        case (.calling, 300...), (.proceeding, 300...):
            // §17.1.1.2: ACK the non-2xx final response, pass it up, wait Timer D for repeats.
            let ack = request.ackForNon2xx(response)
            self.ack = ack
            state = .completed
            var actions = armed.cancel(.a) + armed.cancel(.b) + [.transmit(ack), .deliverResponse(response)]
            let d = reliableTransport ? Duration.zero : timers.timerD
            if d == .zero {
                state = .terminated
                actions += armed.terminate()
            } else {
                actions.append(armed.start(.d, at: now + d))
            }
            return actions

        case (.completed, 300...):
            // §17.1.1.2: a retransmitted final response is ACKed again and not passed up.
            return ack.map { [.transmit($0)] } ?? []

        default:
            // RFC 6026 §7.2: anything else in Accepted is discarded; late 1xx after a final too.
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer, now: Duration) -> [TransactionAction] {
        guard armed.fire(timer, now: now) else { return [] }
        switch (state, timer) {
        case (.calling, .a):
            // §17.1.1.2: retransmit, and double the interval each time (no cap for INVITE).
            timerAInterval = timerAInterval * 2
            return [.transmit(request), armed.start(.a, at: now + timerAInterval)]
        case (.calling, .b):
            // §17.1.1.2: no response within 64*T1: tell the TU the transaction timed out.
            state = .terminated
            return [.timedOut] + armed.terminate()
        case (.completed, .d), (.accepted, .m):
            state = .terminated
            return armed.terminate()
        default:
            return []
        }
    }

    /// §17.1.1.2 and §8.1.3.1: a transport failure while sending the INVITE or the ACK.
    public mutating func transportFailed(now: Duration) -> [TransactionAction] {
        switch state {
        case .calling, .proceeding, .completed:
            state = .terminated
            return [.transportError] + armed.terminate()
        case .accepted, .terminated:
            return []
        }
    }

    /// The deadline of an armed timer, for inspection.
    public func deadline(of timer: TransactionTimer) -> Duration? { armed.deadline(timer) }
}
