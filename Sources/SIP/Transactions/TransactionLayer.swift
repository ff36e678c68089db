import Primitives

/// The RFC 3261 §17 transaction layer as a value: many transactions keyed by `TransactionKey`.
/// Messages from the transport go in through `received`, the TU's requests and responses through
/// `send`, and the driver's timers through `timerFired`; everything comes back as
/// `TransactionLayerAction`s. Requests that match no transaction go to the TU (ACK as `.ack`).
public struct TransactionLayer: Sendable {
    public let timers: TransactionTimers
    /// Entries never move (`SlotTable`): a Dictionary's growth rehashed ~50,000 of them at once.
    private var transactions: SlotTable<TransactionKey, Entry>

    /// The state of one transaction, for inspection and tests.
    public enum State: Equatable, Sendable {
        case clientInvite(ClientInviteTransaction.State)
        case clientNonInvite(ClientNonInviteTransaction.State)
        case serverInvite(ServerInviteTransaction.State)
        case serverNonInvite(ServerNonInviteTransaction.State)
    }

    private enum Machine: Sendable {
        case clientInvite(ClientInviteTransaction)
        case clientNonInvite(ClientNonInviteTransaction)
        case serverInvite(ServerInviteTransaction)
        case serverNonInvite(ServerNonInviteTransaction)
    }

    private struct Entry: Sendable {
        var machine: Machine
        /// Where this transaction transmits: the request's destination (client) or the response
        /// target of the request's top Via (server, §18.2.2).
        let peer: Endpoint
    }

    /// `expected`: transactions the table's index holds without growing (a server's, sized at
    /// start so it never grows under load; a phone's, 0).
    public init(timers: TransactionTimers = .init(), expected: Int = 0) {
        self.timers = timers
        transactions = SlotTable(minimumCapacity: expected)
    }

    /// How many transactions are alive.
    public var count: Int { transactions.count }

    public func state(of key: TransactionKey) -> State? {
        switch transactions[key]?.machine {
        case .clientInvite(let t): .clientInvite(t.state)
        case .clientNonInvite(let t): .clientNonInvite(t.state)
        case .serverInvite(let t): .serverInvite(t.state)
        case .serverNonInvite(let t): .serverNonInvite(t.state)
        case nil: nil
        }
    }

    /// Where a transaction transmits (a client's destination, a server's response target).
    public func destination(of key: TransactionKey) -> Endpoint? { transactions[key]?.peer }

    // MARK: From the transport

    public mutating func received(_ message: SIPMessage, from source: Endpoint, now: Duration) -> [TransactionLayerAction] {
        message.isRequest ? receivedRequest(message, from: source, now: now) : receivedResponse(message, now: now)
    }

    private mutating func receivedRequest(_ original: SIPMessage, from source: Endpoint, now: Duration) -> [TransactionLayerAction] {
        var request = original
        request.stampTopVia(receivedFrom: source)
        guard let key = TransactionKey.server(receiving: request), let method = request.method else { return [] }

        if let entry = transactions[key] {
            // §17.2.3: a retransmission or an ACK for an existing server transaction.
            return run(key, source: source) { machine in
                switch machine {
                case .serverInvite(var t):
                    defer { machine = .serverInvite(t) }
                    return method == "ACK" ? t.receivedAck(request, now: now) : t.receivedRetransmission(now: now)
                case .serverNonInvite(var t):
                    defer { machine = .serverNonInvite(t) }
                    return t.receivedRetransmission(now: now)
                case .clientInvite, .clientNonInvite:
                    preconditionFailure("server key \(key) maps to a client transaction at \(entry.peer)")
                }
            }
        }

        if method == "ACK" {
            // §17.2.3 / §13.3.1.4: an ACK matching no transaction acknowledges a 2xx: the TU's.
            return [.deliverToTU(.ack(request, from: source))]
        }

        // §18.2.2: back the way it came: on its connection for a stream, else to the Via's
        // received/rport over UDP (whatever transport a datagram's Via claims).
        let peer = source.transport.isReliable ? source : request.via[0].responseTarget.over(.udp)
        let (machine, actions): (Machine, [TransactionAction])
        if method == "INVITE" {
            let (t, a) = ServerInviteTransaction.start(request: request, now: now, timers: timers)
            (machine, actions) = (.serverInvite(t), a)
        } else {
            let (t, a) = ServerNonInviteTransaction.start(request: request, now: now, timers: timers)
            (machine, actions) = (.serverNonInvite(t), a)
        }
        transactions[key] = Entry(machine: machine, peer: peer)
        return translate(actions, key: key, peer: peer, source: source)
    }

    private mutating func receivedResponse(_ response: SIPMessage, now: Duration) -> [TransactionLayerAction] {
        // RFC 6026's update of RFC 3261 §18.1.2: a response matching no client transaction is
        // discarded; with the Accepted state (Timer M), 2xx retransmissions still find theirs.
        guard let key = TransactionKey.client(receiving: response), transactions[key] != nil else { return [] }
        return run(key) { machine in
            switch machine {
            case .clientInvite(var t):
                defer { machine = .clientInvite(t) }
                return t.receivedResponse(response, now: now)
            case .clientNonInvite(var t):
                defer { machine = .clientNonInvite(t) }
                return t.receivedResponse(response, now: now)
            case .serverInvite, .serverNonInvite:
                preconditionFailure("client key \(key) maps to a server transaction")
            }
        }
    }

    // MARK: From the TU

    /// Starts a client transaction for `request` (the TU put a fresh magic-cookie branch in its
    /// top Via). An ACK is sent as is, without a transaction (§13.2.2.4: the ACK for a 2xx).
    public mutating func send(request: SIPMessage, to destination: Endpoint, now: Duration) throws(TransactionError) -> [TransactionLayerAction] {
        guard let method = request.method else { throw .wrongKindOfMessage("send(request:) was given a response") }
        if method == "ACK" { return [.transmit(request, to: destination)] }
        guard let key = TransactionKey.client(sending: request) else { throw .missingBranch(method: method) }
        guard transactions[key] == nil else { throw .duplicateTransaction(key) }
        let (machine, actions): (Machine, [TransactionAction])
        if method == "INVITE" {
            let (t, a) = ClientInviteTransaction.start(request: request, now: now, timers: timers)
            (machine, actions) = (.clientInvite(t), a)
        } else {
            let (t, a) = ClientNonInviteTransaction.start(request: request, now: now, timers: timers)
            (machine, actions) = (.clientNonInvite(t), a)
        }
        transactions[key] = Entry(machine: machine, peer: destination)
        return translate(actions, key: key, peer: destination, source: nil)
    }

    /// Sends the TU's response in its server transaction (found from the response's Via and CSeq).
    /// A 2xx to an INVITE whose transaction has ended (after Timer L) goes out statelessly: the
    /// TU alone retransmits 2xx (§13.3.1.4).
    public mutating func send(response: SIPMessage, now: Duration) throws(TransactionError) -> [TransactionLayerAction] {
        guard let status = response.status else { throw .wrongKindOfMessage("send(response:) was given a request") }
        guard let key = TransactionKey.server(sending: response) else { throw .wrongKindOfMessage("the response has no Via") }
        guard transactions[key] != nil else {
            if key.method == "INVITE", (200..<300).contains(status) {
                return [.transmit(response, to: response.via[0].responseTarget)]
            }
            throw .noSuchTransaction(key)
        }
        return run(key) { machine in
            switch machine {
            case .serverInvite(var t):
                defer { machine = .serverInvite(t) }
                return t.send(response: response, now: now)
            case .serverNonInvite(var t):
                defer { machine = .serverNonInvite(t) }
                return t.send(response: response, now: now)
            case .clientInvite, .clientNonInvite:
                preconditionFailure("server key \(key) maps to a client transaction")
            }
        }
    }

    // MARK: From the driver

    public mutating func timerFired(_ id: TransactionTimerID, now: Duration) -> [TransactionLayerAction] {
        run(id.key) { machine in
            switch machine {
            case .clientInvite(var t):
                defer { machine = .clientInvite(t) }
                return t.timerFired(id.timer, now: now)
            case .clientNonInvite(var t):
                defer { machine = .clientNonInvite(t) }
                return t.timerFired(id.timer, now: now)
            case .serverInvite(var t):
                defer { machine = .serverInvite(t) }
                return t.timerFired(id.timer, now: now)
            case .serverNonInvite(var t):
                defer { machine = .serverNonInvite(t) }
                return t.timerFired(id.timer, now: now)
            }
        }
    }

    /// The transport failed to send for this transaction (ICMP unreachable, TCP reset, ...).
    public mutating func transportFailed(_ key: TransactionKey, now: Duration) -> [TransactionLayerAction] {
        run(key) { machine in
            switch machine {
            case .clientInvite(var t):
                defer { machine = .clientInvite(t) }
                return t.transportFailed(now: now)
            case .clientNonInvite(var t):
                defer { machine = .clientNonInvite(t) }
                return t.transportFailed(now: now)
            case .serverInvite(var t):
                defer { machine = .serverInvite(t) }
                return t.transportFailed(now: now)
            case .serverNonInvite(var t):
                defer { machine = .serverNonInvite(t) }
                return t.transportFailed(now: now)
            }
        }
    }

    // MARK: Plumbing

    /// Runs one event on the transaction `key` (if it still exists) and translates its actions.
    private mutating func run(
        _ key: TransactionKey, source: Endpoint? = nil, _ event: (inout Machine) -> [TransactionAction]
    ) -> [TransactionLayerAction] {
        guard let slot = transactions.slot(of: key),
              let (actions, peer) = transactions.update(at: slot, { entry in (event(&entry.machine), entry.peer) })
        else { return [] }
        return translate(actions, key: key, peer: peer, source: source)
    }

    private mutating func translate(
        _ actions: [TransactionAction], key: TransactionKey, peer: Endpoint, source: Endpoint?
    ) -> [TransactionLayerAction] {
        var out: [TransactionLayerAction] = []
        out.reserveCapacity(actions.count)
        for action in actions {
            switch action {
            case .transmit(let m):
                out.append(.transmit(m, to: peer))
            case .deliverRequest(let m):
                let from = source ?? peer
                if m.method == "CANCEL" {
                    let invite = key.cancelledInvite
                    out.append(.deliverToTU(.cancel(m, from: from, transaction: key, invite: transactions[invite] == nil ? nil : invite)))
                } else {
                    out.append(.deliverToTU(.request(m, from: from, transaction: key)))
                }
            case .deliverResponse(let m):
                out.append(.deliverToTU(.response(m, transaction: key)))
            case .deliverAck(let m):
                out.append(.deliverToTU(.ack(m, from: source ?? peer)))
            case .timedOut:
                out.append(.deliverToTU(.timedOut(key)))
            case .transportError:
                out.append(.deliverToTU(.transportError(key)))
            case .startTimer(let t, let at):
                out.append(.startTimer(TransactionTimerID(key: key, timer: t), at: at))
            case .cancelTimer(let t):
                out.append(.cancelTimer(TransactionTimerID(key: key, timer: t)))
            case .terminated:
                transactions[key] = nil
            }
        }
        return out
    }
}
