import Engine
import Media
import NIOCore
import SIP

/// A simulated agent's phone: registers with the engine, rings, answers after a delay (or
/// rejects, or lets it ring), talks with a tone, hangs up or is hung up. One call at a time;
/// a second INVITE while busy gets 486.
final class VirtualAgent: @unchecked Sendable {
    let phone: SIPPhone
    let login: String
    let group: AgentGroup
    let media: MediaEngine?
    let observations: Observations
    let scale: Double
    var rng: SplitMix
    private var call: ActiveCall?
    private(set) var registered = false
    private var registerCSeq: UInt32 = 0
    private let registerCallID: String
    private var onRegistered: EventLoopPromise<Void>?
    /// Digest credentials (RFC 7616); nil when the engine does not ask.
    private var digest: DigestClient?
    /// REGISTER and MESSAGE requests awaiting a final answer, by Call-ID, for re-sending with credentials.
    private var awaiting: [String: (request: SIPMessage, key: String)] = [:]

    struct ActiveCall {
        var invite: SIPMessage
        var source: Endpoint
        var localTag: String
        var customerCall: String
        /// A voicemail message the engine offers (`X-CC-Media: voicemail`), not a customer's call.
        var isMessage = false
        var mediaID: Int?
        var answered = false
        var ok: SIPMessage?
        var hangupTimer: Scheduled<Void>?
        var answerTimer: Scheduled<Void>?
        /// The agent's side of the dialog (it is the UAS): builds its BYE, checks the engine's CSeq.
        var dialog: Dialog
    }

    init(phone: SIPPhone, login: String, password: String?, group: AgentGroup, media: MediaEngine?, observations: Observations, scale: Double, seed: UInt64) {
        self.phone = phone
        self.digest = password.map { DigestClient(username: login, password: $0) }
        self.login = login
        self.group = group
        self.media = media
        self.observations = observations
        self.scale = scale
        self.rng = SplitMix(seed: seed)
        self.registerCallID = phone.ids.callID()
        phone.onMessage = { [weak self] m, from in self?.received(m, from: from) }
    }

    func scaled(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds / scale * 1e9)) }

    /// REGISTER (expires 0 to log out); the future completes on the 200.
    func register(expires: Int = 3600) -> EventLoopFuture<Void> {
        phone.loop.flatSubmit { [self] in
            registerCSeq += 1
            let aor = NameAddress(uri: SIPURI(user: login, host: phone.engine.host, port: phone.engine.port))
            var from = aor
            from.tag = phone.ids.tag()
            var contact = phone.contact
            contact.setParameter("expires", String(expires))
            let m = SIPMessage(
                startLine: .request(method: "REGISTER", uri: SIPURI(host: phone.engine.host, port: phone.engine.port)),
                via: [phone.via()], from: from, to: aor, callID: registerCallID, cseq: CSeq(registerCSeq, "REGISTER"),
                contact: [contact], headers: [Header("Max-Forwards", "70"), Header("Expires", String(expires)), Header("User-Agent", "ccsim")])
            let p = phone.loop.makePromise(of: Void.self)
            onRegistered = p
            awaiting[m.callID] = (m, "register")
            phone.send(m)
            return p.futureResult
        }
    }

    /// Sends the agent-control MESSAGE (see the engine's B2BUA+AgentControl); completes on its 2xx.
    func control(_ command: String) -> EventLoopFuture<Void> {
        phone.loop.flatSubmit { [self] in
            var from = NameAddress(uri: SIPURI(user: login, host: phone.engine.host, port: phone.engine.port))
            from.tag = phone.ids.tag()
            let m = SIPMessage(
                startLine: .request(method: "MESSAGE", uri: SIPURI(user: "ccengine", host: phone.engine.host, port: phone.engine.port)),
                via: [phone.via()], from: from, to: NameAddress(uri: SIPURI(user: "ccengine", host: phone.engine.host, port: phone.engine.port)),
                callID: phone.ids.callID(), cseq: CSeq(1, "MESSAGE"), contentType: "text/plain",
                headers: [Header("Max-Forwards", "70")], body: Array(command.utf8))
            let p = phone.loop.makePromise(of: Void.self)
            controlPromises[m.callID] = p
            awaiting[m.callID] = (m, "message-\(m.callID)")
            phone.send(m)
            return p.futureResult
        }
    }

    /// Schedules the group's breaks and logout; a break at 0 s is in force before this future completes.
    func startBreaks() -> EventLoopFuture<Void> {
        var immediate: [EventLoopFuture<Void>] = []
        if let out = group.logoutAt {
            phone.loop.scheduleTask(in: scaled(out - group.loginAt)) { [self] in logOut() }
        }
        for b in group.breaks {
            if b.at <= 0 {
                immediate.append(control("release \(b.reason)"))
            } else {
                phone.loop.scheduleTask(in: scaled(b.at)) { [self] in _ = control("release \(b.reason)") }
            }
            if let d = b.duration {
                phone.loop.scheduleTask(in: scaled(b.at + d)) { [self] in _ = control("available") }
            }
        }
        return EventLoopFuture.andAllSucceed(immediate, on: phone.loop)
    }

    private var controlPromises: [String: EventLoopPromise<Void>] = [:]
    private var logoutPending = false

    /// End of shift: unregister (Expires: 0), after the call in hand if there is one.
    private func logOut() {
        if call != nil {
            logoutPending = true
        } else {
            _ = register(expires: 0)
        }
    }

    private func callEnded() {
        call = nil
        if logoutPending {
            logoutPending = false
            _ = register(expires: 0)
        }
    }

    /// RFC 3261 §22.2: answer a 401/407 once with credentials (new CSeq and branch); true when resent.
    private func retryWithCredentials(_ response: SIPMessage) -> Bool {
        guard response.status == 401 || response.status == 407, var digest, let (request, key) = awaiting[response.callID],
              request.cseq.number == response.cseq.number, case .ready = digest.received(challenge: response, for: request)
        else { return false }
        var again = request
        again.cseq.number += 1
        again.via = [phone.via()]
        again.headers.removeAll { $0.name == "Authorization" || $0.name == "Proxy-Authorization" }
        guard digest.authorize(&again, using: &phone.ids) else { return false }
        self.digest = digest
        if again.method == "REGISTER" { registerCSeq = again.cseq.number }
        awaiting[response.callID] = (again, key)
        phone.send(again)
        return true
    }

    private func received(_ m: SIPMessage, from: Endpoint) {
        if m.status != nil, m.cseq.method == "REGISTER" || m.cseq.method == "MESSAGE" {
            if retryWithCredentials(m) { return }
            if (m.status ?? 0) >= 200 { awaiting[m.callID] = nil }
        }
        if let status = m.status, m.cseq.method == "MESSAGE", status >= 200 {
            if status < 300 {
                controlPromises.removeValue(forKey: m.callID)?.succeed()
            } else {
                controlPromises.removeValue(forKey: m.callID)?.fail(SimulationError.noResponse("agent \(login)'s MESSAGE got \(status)"))
            }
            return
        }
        if let status = m.status {
            if m.cseq.method == "REGISTER", status >= 200 {
                registered = status < 300
                if status < 300 { onRegistered?.succeed() } else { onRegistered?.fail(SimulationError.registrationRefused(login, status)) }
                onRegistered = nil
            }
            return
        }
        switch m.method {
        case "INVITE": invite(m, from: from)
        case "ACK":
            if call?.invite.callID == m.callID { phone.stopRetransmitting("ok") }
        case "CANCEL": cancel(m, from: from)
        case "BYE": bye(m, from: from)
        default: phone.send(m.response(200), to: from)
        }
    }

    private func invite(_ m: SIPMessage, from: Endpoint) {
        if let c = call {
            if c.invite.callID == m.callID {
                if let ok = c.ok { phone.send(ok, to: from) }  // retransmitted INVITE
            } else {
                phone.send(m.response(486, toTag: phone.ids.tag()), to: from)
            }
            return
        }
        let tag = phone.ids.tag()
        let customerCall = m.header("X-CC-Call") ?? m.callID
        let isMessage = m.header("X-CC-Media") == "voicemail"
        if isMessage {
            observations.voicemailOffered(to: login)  // not a customer's call: no ring, no routing latency
        } else {
            observations.rung(login)
            observations.agentInviteReceived(customerCall, at: phone.datagramArrival(), readAt: RunClock.nanosNow)
        }
        if rng.unit() < group.rejectProbability {
            phone.send(m.response(486, "Busy Here", toTag: tag), to: from)
            return
        }
        var c = ActiveCall(invite: m, source: from, localTag: tag, customerCall: customerCall, isMessage: isMessage, dialog: Dialog(uas: m, localTag: tag))
        phone.send(m.response(180, toTag: tag), to: from)
        if rng.unit() < group.noAnswerProbability {
            call = c  // let it ring until the engine cancels
            return
        }
        let delay = group.answerDelay.sample(&rng)
        c.answerTimer = phone.loop.scheduleTask(in: scaled(delay)) { [self] in answer() }
        call = c
    }

    private func answer() {
        guard var c = call, !c.answered else { return }
        // The phone answers from the engine's offer: the first of PCMU/PCMA offered (RFC 3264).
        let offer = try? SessionDescription.parse(c.invite.body)
        let law = offer?.audio?.codecNames.lazy.compactMap(G711.Law.init(codec:)).first ?? .muLaw
        var port = 9
        if let media, let opened = media.open(sendFrequency: MediaEngine.frequencies[1], expectFrequency: MediaEngine.frequencies[0], law: law) {
            c.mediaID = opened.id
            port = opened.port
            if let sdp = try? SessionDescription.parse(c.invite.body), let audio = sdp.audio, let host = sdp.address(of: audio) {
                media.connect(opened.id, host: host, port: audio.port)
            }
        }
        var ok = c.invite.response(200, toTag: c.localTag)
        ok.contact = [phone.contact]
        ok.contentType = "application/sdp"
        ok.body = (offer.flatMap { phoneAnswer(to: $0, host: phone.local.host, port: port)?.0 }
            ?? phoneSDP(host: phone.local.host, port: port, sessionID: UInt64(port), codecs: [law])).bytes
        c.ok = ok
        c.answered = true
        if !c.isMessage { observations.agentAnswered(customerCall: c.customerCall, agent: login) }
        if let talk = group.talkTime {
            c.hangupTimer = phone.loop.scheduleTask(in: scaled(talk.sample(&rng))) { [self] in hangUp() }
        }
        call = c
        phone.sendUntilAcked(ok, key: "ok", to: c.source)
    }

    private func cancel(_ m: SIPMessage, from: Endpoint) {
        phone.send(m.response(200), to: from)
        guard let c = call, c.invite.callID == m.callID, !c.answered else { return }
        c.answerTimer?.cancel()
        phone.send(c.invite.response(487, toTag: c.localTag), to: c.source)
        callEnded()
    }

    private func bye(_ m: SIPMessage, from: Endpoint) {
        guard var c = call, c.invite.callID == m.callID else {
            phone.send(m.response(481), to: from)
            return
        }
        if case .outOfOrder = c.dialog.received(request: m) {
            phone.send(m.response(500, "Server Internal Error (CSeq out of order)"), to: from)
            return
        }
        call = c
        phone.send(m.response(200), to: from)
        finish(c)
    }

    /// The agent ends the call (talk time over).
    private func hangUp() {
        guard var c = call, c.answered else { return }
        phone.stopRetransmitting("ok")
        let bye = c.dialog.request("BYE", via: phone.via())
        phone.send(bye, to: c.source)
        finish(c)
    }

    private func finish(_ c: ActiveCall) {
        c.hangupTimer?.cancel()
        c.answerTimer?.cancel()
        phone.stopRetransmitting("ok")
        let report = c.mediaID.flatMap { media?.close($0) }
        if c.isMessage {
            // The message is the customer's own voice (its tone), recorded and played back.
            if c.answered { observations.voicemailTaken(by: login, heard: report?.heard) }
        } else {
            observations.agentHeard(customerCall: c.customerCall, agent: login, heard: report?.heard)
        }
        if c.answered, let work = group.wrapUp {
            phone.loop.scheduleTask(in: scaled(work.sample(&rng))) { [self] in _ = control("wrapup-done") }
        }
        callEnded()
    }
}
