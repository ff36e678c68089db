/// RFC 3261 §17.2.1 (Figure 7) with RFC 6026 §7.1 (Accepted state, Timer L): the server side of an
/// INVITE transaction, as a value.
///
/// 100 (Trying): by default the transaction sends it itself when the TU has sent no response
/// within `TransactionTimers.tryingDelay` (200 ms, §17.2.1), or at once when the INVITE is
/// retransmitted before then. A TU that always answers quickly can set `tryingDelay` to nil.
///
/// 2xx: the transaction sends the TU's 2xx and moves to Accepted, where it absorbs INVITE
/// retransmissions and passes ACKs to the TU. Retransmitting the 2xx is the TU's job (§13.3.1.4,
/// see `ServerDialog2xxRetransmitter`); the TU passes each retransmission back through
/// `send(response:)`, which Accepted transmits (RFC 6026 §7.1).
public struct ServerInviteTransaction: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case proceeding, completed, confirmed, accepted, terminated
    }

    public private(set) var state: State
    public let request: SIPMessage
    private let timers: TransactionTimers
    private let reliableTransport: Bool
    private var armed = ArmedTimers()
    /// The most recent response sent: the one a retransmitted INVITE gets again (§17.2.1).
    public private(set) var lastResponse: SIPMessage?
    /// The interval Timer G was last armed with (§17.2.1: doubles up to T2).
    private var timerGInterval: Duration

    private init(request: SIPMessage, timers: TransactionTimers, reliableTransport: Bool) {
        self.state = .proceeding
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
        self.timerGInterval = timers.t1
    }

    /// "INVITE / pass INV to TU": enters Proceeding and delivers the request to the TU.
    public static func start(
        request: SIPMessage, now: Duration, timers: TransactionTimers = .init(), reliableTransport: Bool? = nil
    ) -> (ServerInviteTransaction, [TransactionAction]) {
        precondition(request.method == "INVITE", "a server INVITE transaction is created by an INVITE")
        var tx = ServerInviteTransaction(
            request: request, timers: timers, reliableTransport: reliableTransport ?? request.travelsOnReliableTransport)
        var actions: [TransactionAction] = [.deliverRequest(request)]
        switch timers.tryingDelay {
        case .some(.zero): actions += tx.sendTrying()
        case .some(let delay): actions.append(tx.armed.start(.trying, at: now + delay))
        case .none: break
        }
        return (tx, actions)
    }

    /// The same INVITE again (it matched this transaction, §17.2.3).
    public mutating func receivedRetransmission(now: Duration) -> [TransactionAction] {
        switch state {
        case .proceeding:
            // §17.2.1: resend the most recent provisional response. The peer is retransmitting,
            // so if our automatic 100 is still pending it goes now.
            if let lastResponse { return [.transmit(lastResponse)] }
            if armed.deadline(.trying) != nil { return armed.cancel(.trying) + sendTrying() }
            return []
        case .completed:
            // §17.2.1: resend the final response.
            return lastResponse.map { [.transmit($0)] } ?? []
        case .confirmed, .accepted, .terminated:
            // §17.2.1 / RFC 6026 §7.1: absorbed.
            return []
        }
    }

    /// An ACK matching this transaction (§17.2.3: ACK matches the INVITE's server transaction).
    public mutating func receivedAck(_ ack: SIPMessage, now: Duration) -> [TransactionAction] {
        switch state {
        case .completed:
            // §17.2.1: ACK for our non-2xx: stop retransmitting, wait Timer I (T4, zero on
            // reliable transports) to absorb ACK retransmissions.
            state = .confirmed
            var actions = armed.cancel(.g) + armed.cancel(.h)
            if reliableTransport {
                state = .terminated
                actions += armed.terminate()
            } else {
                actions.append(armed.start(.i, at: now + timers.t4))
            }
            return actions
        case .accepted:
            // RFC 6026 §7.1: an ACK reaching the Accepted transaction acknowledges the TU's 2xx.
            return [.deliverAck(ack)]
        case .proceeding, .confirmed, .terminated:
            return []
        }
    }

    /// A response from the TU for this transaction.
    public mutating func send(response: SIPMessage, now: Duration) -> [TransactionAction] {
        guard let status = response.status else { return [] }
        switch (state, status) {
        case (.proceeding, 100..<200):
            lastResponse = response
            return armed.cancel(.trying) + [.transmit(response)]
        case (.proceeding, 200..<300):
            // RFC 6026 §7.1: 2xx sent, Accepted until Timer L.
            state = .accepted
            lastResponse = response
            return armed.cancel(.trying)
                + [.transmit(response), armed.start(.l, at: now + timers.transactionTimeout)]
        case (.accepted, 200..<300):
            // RFC 6026 §7.1: "2xx from TU / send response" (the TU's §13.3.1.4 retransmissions).
            return [.transmit(response)]
        case (.proceeding, 300...):
            // §17.2.1: Completed; Timer G retransmits on unreliable transports, H waits for ACK.
            state = .completed
            lastResponse = response
            var actions = armed.cancel(.trying) + [.transmit(response)]
            if !reliableTransport { actions.append(armed.start(.g, at: now + timers.t1)) }
            actions.append(armed.start(.h, at: now + timers.transactionTimeout))
            return actions
        default:
            // A response after the final one: discarded (§17.2.1 gives it no transition).
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer, now: Duration) -> [TransactionAction] {
        guard armed.fire(timer, now: now) else { return [] }
        switch (state, timer) {
        case (.proceeding, .trying):
            return sendTrying()
        case (.completed, .g):
            // §17.2.1: resend the final response; the interval doubles up to T2.
            timerGInterval = min(timerGInterval * 2, timers.t2)
            let resend: [TransactionAction] = lastResponse.map { [.transmit($0)] } ?? []
            return resend + [armed.start(.g, at: now + timerGInterval)]
        case (.completed, .h):
            // §17.2.1: the ACK never came; tell the TU.
            state = .terminated
            return [.timedOut] + armed.terminate()
        case (.confirmed, .i), (.accepted, .l):
            state = .terminated
            return armed.terminate()
        default:
            return []
        }
    }

    /// §17.2.1: a transport failure sending a response ends the transaction and informs the TU.
    public mutating func transportFailed(now: Duration) -> [TransactionAction] {
        switch state {
        case .proceeding, .completed, .accepted:
            state = .terminated
            return [.transportError] + armed.terminate()
        case .confirmed, .terminated:
            return []
        }
    }

    public func deadline(of timer: TransactionTimer) -> Duration? { armed.deadline(timer) }

    private mutating func sendTrying() -> [TransactionAction] {
        let trying = request.tryingResponse()
        lastResponse = trying
        return [.transmit(trying)]
    }
}
