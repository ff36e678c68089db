/// RFC 3261 §17.2.2 (Figure 8): the server side of a non-INVITE transaction, as a value.
/// No automatic 100 (Trying): RFC 4320 §4.1 forbids it before 200 ms, and the TU answers quickly.
public struct ServerNonInviteTransaction: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case trying, proceeding, completed, terminated
    }

    public private(set) var state: State
    public let request: SIPMessage
    private let timers: TransactionTimers
    private let reliableTransport: Bool
    private var armed = ArmedTimers()
    /// The most recent response sent, resent for request retransmissions (§17.2.2).
    public private(set) var lastResponse: SIPMessage?

    private init(request: SIPMessage, timers: TransactionTimers, reliableTransport: Bool) {
        self.state = .trying
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
    }

    /// "Request received / pass to TU": enters Trying.
    public static func start(
        request: SIPMessage, now: Duration, timers: TransactionTimers = .init(), reliableTransport: Bool? = nil
    ) -> (ServerNonInviteTransaction, [TransactionAction]) {
        precondition(request.method != "INVITE" && request.method != "ACK", "not a non-INVITE request")
        let tx = ServerNonInviteTransaction(
            request: request, timers: timers, reliableTransport: reliableTransport ?? request.travelsOnReliableTransport)
        return (tx, [.deliverRequest(request)])
    }

    public mutating func receivedRetransmission(now: Duration) -> [TransactionAction] {
        switch state {
        case .trying:
            // §17.2.2: discarded while the TU has not answered.
            return []
        case .proceeding, .completed:
            // §17.2.2: the last response again.
            return lastResponse.map { [.transmit($0)] } ?? []
        case .terminated:
            return []
        }
    }

    public mutating func send(response: SIPMessage, now: Duration) -> [TransactionAction] {
        guard let status = response.status else { return [] }
        switch (state, status) {
        case (.trying, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            lastResponse = response
            return [.transmit(response)]
        case (.trying, 200...), (.proceeding, 200...):
            // §17.2.2: Completed; Timer J (64*T1, zero on reliable transports) absorbs retransmissions.
            state = .completed
            lastResponse = response
            if reliableTransport {
                state = .terminated
                return [.transmit(response)] + armed.terminate()
            }
            return [.transmit(response), armed.start(.j, at: now + timers.transactionTimeout)]
        default:
            // §17.2.2: other final responses from the TU in Completed are discarded.
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer, now: Duration) -> [TransactionAction] {
        guard armed.fire(timer, now: now), state == .completed, timer == .j else { return [] }
        state = .terminated
        return armed.terminate()
    }

    /// §17.2.2: a transport failure sending a response ends the transaction and informs the TU.
    public mutating func transportFailed(now: Duration) -> [TransactionAction] {
        switch state {
        case .trying, .proceeding, .completed:
            state = .terminated
            return [.transportError] + armed.terminate()
        case .terminated:
            return []
        }
    }

    public func deadline(of timer: TransactionTimer) -> Duration? { armed.deadline(timer) }
}
