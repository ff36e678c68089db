import CallCenter
import SIP

/// The engine's whole pure core: RFC 3261 §17 transactions in front of the B2BUA. Bytes are
/// decoded by `SIPIngress`; messages pass through `TransactionLayer` (retransmissions absorbed,
/// timers A-M, ACK for non-2xx); what reaches the B2BUA is a request, an ACK, a response or a
/// timeout. What the B2BUA sends goes back through the layer, so every request we send is
/// retransmitted until answered and every response is resent when the request is repeated.
/// The 2xx to a customer's INVITE is retransmitted until its ACK (§13.3.1.4).
public struct SIPStack: Sendable {
    public private(set) var core: B2BUA
    private var layer: TransactionLayer
    private var okRetransmitters: [String: ServerDialog2xxRetransmitter] = [:]
    /// Client transactions we started, to tell the B2BUA which leg a timeout belongs to.
    private var clientRequests: [TransactionKey: (callID: String, method: String)] = [:]

    public init(core: B2BUA, timers: TransactionTimers = .init()) {
        self.core = core
        self.layer = TransactionLayer(timers: timers, expected: 65_536)  // ~90,000 live at 3x load measured
    }

    public var transactionCount: Int { layer.count }

    /// The call center for operators (`B2BUA.snapshot`).
    public func snapshot(now: Duration) -> EngineSnapshot { core.snapshot(now: now) }

    /// The queues' wallboard figures (`B2BUA.queueFigures`).
    public func queueFigures() -> [OperationsEvent.QueueFigures] { core.queueFigures() }

    public mutating func handle(_ event: EngineEvent, now: Duration) -> [EngineAction] {
        let actions = dispatch(event, now: now)
        // A destination on a transport we do not serve (a Via or Contact naming TCP while only UDP
        // is on) is reached over UDP instead of not at all.
        let served = core.settings.streams
        guard actions.contains(where: { if case .send(_, let to) = $0 { to.transport != .udp && !served.contains(to.transport) } else { false } }) else { return actions }
        return actions.map { action in
            guard case .send(let m, let to) = action, to.transport != .udp, !served.contains(to.transport) else { return action }
            return .send(m, to: to.over(.udp))
        }
    }

    private mutating func dispatch(_ event: EngineEvent, now: Duration) -> [EngineAction] {
        switch event {
        case .received(let m, let from):
            // Overload: a new INVITE is refused before the transaction layer (RFC 3261 §8.2's
            // stateless UAS), so shedding costs a decode and one datagram out, nothing kept.
            if m.method == "INVITE", m.to.tag == nil, TransactionKey.server(receiving: m).map({ layer.state(of: $0) == nil }) ?? true,
               let refusal = core.shed(m, from: from, now: now) {
                return [refusal.wrappingTimer(EngineTimer.b2bua)]
            }
            if m.method == "REGISTER", TransactionKey.server(receiving: m).map({ layer.state(of: $0) == nil }) ?? true,
               let refusal = core.limitRegister(m, from: from, now: now) {
                return [refusal.wrappingTimer(EngineTimer.b2bua)]
            }
            return fromLayer(layer.received(m, from: from, now: now), now: now)
        case .sendFailed(let m):
            let key = m.isRequest ? TransactionKey.client(sending: m) : TransactionKey.server(sending: m)
            guard m.method != "ACK", let key else { return [] }
            return fromLayer(layer.transportFailed(key, now: now), now: now)
        case .timerFired(.transaction(let id)):
            return fromLayer(layer.timerFired(id, now: now), now: now)
        case .timerFired(.okRetransmit(let callID, let timer)):
            guard var r = okRetransmitters[callID] else { return [] }
            let actions = r.timerFired(timer, now: now)
            okRetransmitters[callID] = r.state == .waitingForAck ? r : nil
            return fromRetransmitter(actions, callID: callID, now: now)
        case .timerFired(.b2bua(let timer)):
            return toNetwork(core.handle(.timerFired(timer), now: now), now: now)
        case .start(let kept): return toNetwork(core.handle(.start(kept), now: now), now: now)
        case .mediaFailed(let call, let reason): return toNetwork(core.handle(.mediaFailed(call, reason: reason), now: now), now: now)
        case .mediaClosed(let ports): return toNetwork(core.handle(.mediaClosed(ports: ports), now: now), now: now)
        case .digit(let call, let digit): return toNetwork(core.handle(.digit(call, digit), now: now), now: now)
        case .promptPlayed(let call, let token): return toNetwork(core.handle(.promptPlayed(call, token: token), now: now), now: now)
        case .voicemailSaved(let message): return toNetwork(core.handle(.voicemailSaved(message), now: now), now: now)
        case .mediaQuiet(let call, let leg): return toNetwork(core.handle(.mediaQuiet(call, leg), now: now), now: now)
        case .mediaPortUnavailable(let port, let reason):
            return toNetwork(core.handle(.mediaPortUnavailable(port: port, reason: reason), now: now), now: now)
        case .load(let report): return toNetwork(core.handle(.load(report), now: now), now: now)
        case .socketBacklog(let bytes, let emptyAt): return toNetwork(core.handle(.socketBacklog(bytes: bytes, emptyAt: emptyAt), now: now), now: now)
        case .drain: return toNetwork(core.handle(.drain, now: now), now: now)
        case .resume: return toNetwork(core.handle(.resume, now: now), now: now)
        case .endAllCalls: return toNetwork(core.handle(.endAllCalls, now: now), now: now)
        case .control(let command): return toNetwork(core.handle(.control(command), now: now), now: now)
        }
    }

    /// What the transaction layer asks for: wire, timers, or events for the B2BUA.
    private mutating func fromLayer(_ actions: [TransactionLayerAction], now: Duration) -> [EngineAction] {
        var out: [EngineAction] = []
        for a in actions {
            switch a {
            case .transmit(let m, let to):
                out.append(.send(m, to: to))
            case .startTimer(let id, let at):
                out.append(.startTimer(.transaction(id), at: at))
            case .cancelTimer(let id):
                out.append(.cancelTimer(.transaction(id)))
            case .deliverToTU(let event):
                out += deliver(event, now: now)
            }
        }
        return out
    }

    private mutating func deliver(_ event: TransactionUserEvent, now: Duration) -> [EngineAction] {
        switch event {
        case .request(let m, let from, _), .cancel(let m, let from, _, _):
            return toNetwork(core.handle(.received(m, from: from), now: now), now: now)
        case .ack(let m, let from):
            var out: [EngineAction] = []
            if var r = okRetransmitters[m.callID], r.response.cseq.number == m.cseq.number {
                out += fromRetransmitter(r.receivedAck(now: now), callID: m.callID, now: now)
                okRetransmitters[m.callID] = nil
                okRetransmitters.shrinkIfSparse()
            }
            return out + toNetwork(core.handle(.received(m, from: from), now: now), now: now)
        case .response(let m, let key):
            if (m.status ?? 0) >= 200 { clientRequests[key] = nil; clientRequests.shrinkIfSparse() }
            // The source of a response is not needed above the transaction layer.
            return toNetwork(core.handle(.received(m, from: Endpoint(host: "0.0.0.0", port: 0)), now: now), now: now)
        case .timedOut(let key), .transportError(let key):
            guard let info = clientRequests.removeValue(forKey: key) else { return [] }
            clientRequests.shrinkIfSparse()
            let unreachable = if case .transportError = event { true } else { false }
            return toNetwork(core.handle(.requestFailed(callID: info.callID, method: info.method, unreachable: unreachable), now: now), now: now)
        }
    }

    /// What the B2BUA sends goes through the layer; everything else passes to the driver, its
    /// timers wrapped as the B2BUA's (`EngineTimer.b2bua`).
    private mutating func toNetwork(_ actions: [B2BUAAction], now: Duration) -> [EngineAction] {
        var out: [EngineAction] = []
        for b in actions {
            let a = b.wrappingTimer(EngineTimer.b2bua)
            guard case .send(var m, var to) = a else {
                out.append(a)
                continue
            }
            if let method = m.method {
                let settings = core.settings
                if method == "CANCEL", let invite = inviteDestination(branch: m.branch) { to = invite }
                if to.transport != .udp, !settings.streams.contains(to.transport) { to.transport = .udp }
                to = m.prepareForTransport(to: to, sentBy: settings.sentBy, tcp: settings.streams.contains(.tcp))
                do {
                    let sent = try layer.send(request: m, to: to, now: now)
                    if method != "ACK", let key = TransactionKey.client(sending: m) { clientRequests[key] = (m.callID, method) }
                    out += fromLayer(sent, now: now)
                } catch {
                    out.append(.log(.error, "could not start a transaction for \(method): \(error); sent without one", call: nil))
                    out.append(.send(m, to: to))
                }
            } else {
                do {
                    out += fromLayer(try layer.send(response: m, now: now), now: now)
                } catch {
                    // No transaction (it ended): send the response as it is, to where the B2BUA said.
                    out.append(a)
                }
                if m.cseq.method == "INVITE", let status = m.status, (200..<300).contains(status) {
                    let (r, timerActions) = ServerDialog2xxRetransmitter.start(response: m, now: now, timers: layer.timers)
                    okRetransmitters[m.callID] = r
                    out += fromRetransmitter(timerActions, callID: m.callID, now: now)
                }
            }
        }
        return out
    }

    /// RFC 3261 §9.1: a CANCEL goes to the address, port and transport its INVITE went to (which
    /// may have moved to TCP for its size), so it gets the INVITE's top Via too.
    private func inviteDestination(branch: String?) -> Endpoint? {
        guard let branch else { return nil }
        for transport in Transport.allCases {
            let local = core.settings.sentBy(transport)
            let key = TransactionKey(role: .client, branch: branch, sentBy: "\(local.host.lowercased()):\(local.port)", method: "INVITE")
            if let to = layer.destination(of: key) { return to }
        }
        return nil
    }

    private mutating func fromRetransmitter(_ actions: [ServerDialog2xxRetransmitter.Action], callID: String, now: Duration) -> [EngineAction] {
        var out: [EngineAction] = []
        for a in actions {
            switch a {
            case .retransmit(let m):
                if let sent = try? layer.send(response: m, now: now) {
                    out += fromLayer(sent, now: now)
                } else {
                    out.append(.send(m, to: m.via[0].responseTarget))
                }
            case .startTimer(let t, let at):
                out.append(.startTimer(.okRetransmit(callID, t), at: at))
            case .cancelTimer(let t):
                out.append(.cancelTimer(.okRetransmit(callID, t)))
            case .ackTimedOut:
                okRetransmitters[callID] = nil
                okRetransmitters.shrinkIfSparse()
                out += toNetwork(core.handle(.ackTimedOut(callID), now: now), now: now)
            }
        }
        return out
    }
}
