/// RFC 3261 §17.1.2 (Figure 6): the client side of a non-INVITE transaction (REGISTER, OPTIONS,
/// BYE, CANCEL, ...), as a value.
public struct ClientNonInviteTransaction: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case trying, proceeding, completed, terminated
    }

    public private(set) var state: State
    public let request: SIPMessage
    private let timers: TransactionTimers
    private let reliableTransport: Bool
    private var armed = ArmedTimers()
    /// The interval Timer E was last armed with (§17.1.2.2: doubles up to T2 in Trying).
    private var timerEInterval: Duration

    private init(request: SIPMessage, timers: TransactionTimers, reliableTransport: Bool) {
        self.state = .trying
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
        self.timerEInterval = timers.t1
    }

    /// "Request from TU / send request": enters Trying.
    public static func start(
        request: SIPMessage, now: Duration, timers: TransactionTimers = .init(), reliableTransport: Bool? = nil
    ) -> (ClientNonInviteTransaction, [TransactionAction]) {
        precondition(request.method != "INVITE" && request.method != "ACK", "not a non-INVITE request")
        var tx = ClientNonInviteTransaction(
            request: request, timers: timers, reliableTransport: reliableTransport ?? request.travelsOnReliableTransport)
        var actions: [TransactionAction] = [.transmit(request)]
        // §17.1.2.2: Timer E (T1) on unreliable transports only; Timer F = 64*T1 always.
        if !tx.reliableTransport { actions.append(tx.armed.start(.e, at: now + timers.t1)) }
        actions.append(tx.armed.start(.f, at: now + timers.transactionTimeout))
        return (tx, actions)
    }

    public mutating func receivedResponse(_ response: SIPMessage, now: Duration) -> [TransactionAction] {
        guard let status = response.status else { return [] }
        switch (state, status) {
        case (.trying, 100..<200), (.proceeding, 100..<200):
            // §17.1.2.2: retransmissions go on (at T2 once Timer E next fires).
            state = .proceeding
            return [.deliverResponse(response)]
        case (.trying, 200...), (.proceeding, 200...):
            // §17.1.2.2: the final response goes up; Timer K (T4, zero on reliable transports)
            // absorbs its retransmissions.
            state = .completed
            var actions = armed.cancel(.e) + armed.cancel(.f) + [.deliverResponse(response)]
            if reliableTransport {
                state = .terminated
                actions += armed.terminate()
            } else {
                actions.append(armed.start(.k, at: now + timers.t4))
            }
            return actions
        default:
            // Completed: retransmitted responses are absorbed.
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer, now: Duration) -> [TransactionAction] {
        guard armed.fire(timer, now: now) else { return [] }
        switch (state, timer) {
        case (.trying, .e):
            // §17.1.2.2: MIN(2*previous, T2) in Trying.
            timerEInterval = min(timerEInterval * 2, timers.t2)
            return [.transmit(request), armed.start(.e, at: now + timerEInterval)]
        case (.proceeding, .e):
            // §17.1.2.2: in Proceeding, Timer E is reset to T2.
            timerEInterval = timers.t2
            return [.transmit(request), armed.start(.e, at: now + timers.t2)]
        case (.trying, .f), (.proceeding, .f):
            state = .terminated
            return [.timedOut] + armed.terminate()
        case (.completed, .k):
            state = .terminated
            return armed.terminate()
        default:
            return []
        }
    }

    /// §17.1.2.2: a transport failure in Trying or Proceeding ends the transaction.
    public mutating func transportFailed(now: Duration) -> [TransactionAction] {
        switch state {
        case .trying, .proceeding:
            state = .terminated
            return [.transportError] + armed.terminate()
        case .completed, .terminated:
            return []
        }
    }

    public func deadline(of timer: TransactionTimer) -> Duration? { armed.deadline(timer) }
}
