/// One timer of one transaction, as the driver schedules it.
public struct TransactionTimerID: Hashable, Sendable, CustomStringConvertible {
    public var key: TransactionKey
    public var timer: TransactionTimer

    public init(key: TransactionKey, timer: TransactionTimer) {
        self.key = key
        self.timer = timer
    }

    public var description: String { "\(timer) of \(key)" }
}

/// What the transaction layer asks of its driver and of the TU above it.
public enum TransactionLayerAction: Equatable, Sendable {
    /// Send these bytes-to-be over the transport.
    case transmit(SIPMessage, to: Endpoint)
    /// Hand this to the transaction user (registrar, dialogs, call center).
    case deliverToTU(TransactionUserEvent)
    /// Schedule `timerFired(id, now:)` at `at`, replacing a pending timer with the same id.
    case startTimer(TransactionTimerID, at: Duration)
    case cancelTimer(TransactionTimerID)
}

/// What the transaction layer tells the TU.
public enum TransactionUserEvent: Equatable, Sendable {
    /// A new request with its own server transaction; answer with `send(response:now:)`.
    /// Its top Via is stamped with `received`/`rport` (RFC 3261 §18.2.1, RFC 3581), so
    /// `request.response(...)` addresses the peer correctly.
    case request(SIPMessage, from: Endpoint, transaction: TransactionKey)
    /// A CANCEL, with its own server transaction `transaction` (answer it 200, or 481 when
    /// `invite` is nil) and the INVITE server transaction it cancels, if one exists (§9.2).
    case cancel(SIPMessage, from: Endpoint, transaction: TransactionKey, invite: TransactionKey?)
    /// An ACK that is the TU's business: it matched no transaction (the ACK for a 2xx is a
    /// transaction of its own, §17.1.1.3 / §13.2.2.4), or reached an INVITE in Accepted (RFC 6026).
    case ack(SIPMessage, from: Endpoint)
    /// A response for one of our client transactions; for INVITE every 2xx, retransmissions
    /// included, so the TU can (re-)ACK each (RFC 6026 §7.2).
    case response(SIPMessage, transaction: TransactionKey)
    /// Timer B or F (no final response: act as if 408 arrived, §8.1.3.1) or Timer H (our non-2xx
    /// was never ACKed).
    case timedOut(TransactionKey)
    /// The transport could not send for this transaction (§8.1.3.1: treat as 503).
    case transportError(TransactionKey)
}

/// What the TU did wrong when handing the transaction layer a message. Our bug, never the peer's.
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A request without a top Via branch cannot start a transaction (§8.1.1.7).
    case missingBranch(method: String)
    /// A client transaction with this key exists already: give every new request a new branch.
    case duplicateTransaction(TransactionKey)
    /// No server transaction for this response (it ended, or the Via/CSeq were changed).
    case noSuchTransaction(TransactionKey)
    /// `send(request:)` got a response or `send(response:)` a request.
    case wrongKindOfMessage(String)

    public var description: String {
        switch self {
        case .missingBranch(let m): "the \(m) request has no Via branch; add one starting with z9hG4bK"
        case .duplicateTransaction(let k): "a transaction \(k) is already running; use a new branch"
        case .noSuchTransaction(let k): "no server transaction \(k) to send this response in"
        case .wrongKindOfMessage(let why): why
        }
    }
}
