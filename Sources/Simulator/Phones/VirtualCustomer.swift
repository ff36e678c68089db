import Engine
import Media
import NIOCore
import SIP

/// A simulated customer: calls a queue, waits (CANCEL when patience runs out), talks with a tone
/// once answered, hangs up after its hold time or when the agent hangs up.
final class VirtualCustomer: @unchecked Sendable {
    let phone: SIPPhone
    let stream: CustomerStream
    let media: MediaEngine?
    let observations: Observations
    let clock: RunClock
    let scale: Double
    let callerID: String
    let warmUp: Bool
    var rng: SplitMix
    private var invite: SIPMessage?
    /// The customer's side of the dialog its INVITE creates (it is the UAC).
    private var dialog: Dialog?
    private var mediaID: Int?
    private var state: State = .idle
    private var ok: SIPMessage?
    private var patienceTimer: Scheduled<Void>?
    private var holdTimer: Scheduled<Void>?
    /// The engine answered (a menu, a queue answering on entry) before any agent did: the call
    /// is talking to an agent only once one answers, which starts the hold time.
    private var waitingSoundNoted = false
    private var waitingForAgent = false
    let done: EventLoopPromise<Void>

    enum State { case idle, calling, early, cancelling, answered, ending, ended }

    init(phone: SIPPhone, stream: CustomerStream, callerID: String, media: MediaEngine?, observations: Observations, clock: RunClock, scale: Double, seed: UInt64, warmUp: Bool = false) {
        self.warmUp = warmUp
        self.phone = phone
        self.stream = stream
        self.callerID = callerID
        self.media = media
        self.observations = observations
        self.clock = clock
        self.scale = scale
        self.rng = SplitMix(seed: seed)
        self.done = phone.loop.makePromise(of: Void.self)
        phone.onMessage = { [weak self] m, _ in self?.received(m) }
    }

    func scaled(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds / scale * 1e9)) }

    func call() {
        phone.loop.execute { [self] in
            var port = 9
            if let media, let opened = media.open(sendFrequency: MediaEngine.frequencies[0], expectFrequency: MediaEngine.frequencies[1], law: stream.codecs[0], listen: true) {
                mediaID = opened.id
                port = opened.port
            }
            var from = NameAddress(displayName: "Customer \(callerID)", uri: SIPURI(user: callerID, host: phone.local.host, port: phone.local.port))
            from.tag = phone.ids.tag()
            var m = SIPMessage(
                startLine: .request(method: "INVITE", uri: SIPURI(user: stream.queue, host: phone.engine.host, port: phone.engine.port)),
                via: [phone.via()], from: from,
                to: NameAddress(uri: SIPURI(user: stream.queue, host: phone.engine.host, port: phone.engine.port)),
                callID: phone.ids.callID(), cseq: CSeq(1, "INVITE"), contact: [phone.contact],
                contentType: "application/sdp",
                headers: [Header("Max-Forwards", "70"), Header("User-Agent", "ccsim")],
                body: phoneSDP(host: phone.local.host, port: port, sessionID: UInt64(port), codecs: stream.codecs).bytes)
            if let client = stream.client { m.setHeader("X-CC-Client", client) }
            invite = m
            dialog = Dialog(uac: m)
            state = .calling
            var observation = CallObservation(callID: m.callID, queue: stream.queue, caller: callerID, offeredAt: clock.now)
            if warmUp { observation.warmUp = true }
            observations.offered(observation)
            phone.send(m) { [observations] at in observations.inviteSent(m.callID, at: at) }
            if let patience = stream.patience {
                patienceTimer = phone.loop.scheduleTask(in: scaled(patience.sample(&rng))) { [self] in giveUp() }
            }
        }
    }

    private func received(_ m: SIPMessage) {
        guard let inv = invite, m.callID == inv.callID else { return }
        if let status = m.status {
            switch m.cseq.method {
            case "INVITE": inviteResponse(m, status: status)
            case "BYE": end(.answered)
            default: break
            }
            return
        }
        if var d = dialog {
            if case .outOfOrder = d.received(request: m) {
                phone.send(m.response(500, "Server Internal Error (CSeq out of order)"))
                return
            }
            dialog = d
        }
        switch m.method {
        case "BYE":
            phone.send(m.response(200))
            holdTimer?.cancel()
            if state == .answered || state == .ending { end(.answered) }
        default:
            phone.send(m.response(200))
        }
    }

    private func inviteResponse(_ m: SIPMessage, status: Int) {
        guard let inv = invite, var dialog else { return }
        dialog.received(response: m)
        self.dialog = dialog
        if status < 200 {
            if state == .calling { state = .early }
            // Early media (a 183 with SDP: a queue's music before any answer): the phone plays
            // what arrives, as a real one does, so what the caller heard waiting is counted.
            if !m.body.isEmpty, let sdp = try? SessionDescription.parse(m.body) { connectMedia(to: sdp) }
            return
        }
        if status >= 300 {
            // RFC 3261 §17.1.1.3: the INVITE's client transaction ACKed it already.
            guard state != .ended else { return }
            observations.update(inv.callID) { $0.finalStatus = status }
            end(state == .cancelling && status == 487 ? .abandoned : .failed)
            return
        }
        // 2xx (or its retransmission): ACK it.
        phone.send(dialog.ack(for: m, via: phone.via()))
        guard state == .calling || state == .early || state == .cancelling else { return }
        ok = m
        if state == .cancelling {
            patienceTimer?.cancel()
            // Our CANCEL lost the race with the answer: hang up straight away (RFC 3261 §9.1).
            state = .answered
            observations.update(inv.callID) { $0.answeredAt = clock.now }
            hangUp()
            return
        }
        state = .answered
        // An agent's answer is what makes a call answered; a 200 the engine sends itself (a menu,
        // a queue answering on entry, voicemail: it says so in X-CC-Answered-By) is not one:
        // patience keeps running until one of ccsim's agents answers the call.
        let agentAnswered = m.header(B2BUA.answeredByHeader) == nil || observations.hasAgentAnswered(inv.callID) { [self] in
            phone.loop.execute { [self] in agentAnsweredLater() }
        }
        waitingForAgent = !agentAnswered
        observations.update(inv.callID) { o in
            if agentAnswered { o.answeredAt = clock.now }
            o.finalStatus = 200
        }
        if agentAnswered {
            patienceTimer?.cancel()
            noteWaitingSound()
        }
        let answer = try? SessionDescription.parse(m.body)
        // RFC 3264: the engine's answer must fit our offer; its first codec is the one both sides use.
        if let offer = try? SessionDescription.parse(inv.body) {
            let mismatch = answer.map { OfferAnswer.check($0, against: offer)?.description } ?? "no SDP answer in the 200"
            if let mismatch { observations.update(inv.callID) { $0.answerMismatch = mismatch } }
        }
        if let media, let id = mediaID, let sdp = answer {
            connectMedia(to: sdp)
            if let dtmf = stream.dtmf {
                media.sendDTMF(id, keys: dtmf.keys.map { ($0.digit, $0.wait / scale) })
                observations.update(inv.callID) { $0.dtmfSent = dtmf.digits }
            }
        }
        if agentAnswered { holdTimer = phone.loop.scheduleTask(in: scaled(stream.holdTime.sample(&rng))) { [self] in hangUp() } }
    }

    /// An agent answered a call the engine had answered before: talking starts now.
    private func agentAnsweredLater() {
        guard let inv = invite, state == .answered, waitingForAgent else { return }
        waitingForAgent = false
        patienceTimer?.cancel()
        observations.update(inv.callID) { $0.answeredAt = clock.now }
        noteWaitingSound()
        holdTimer = phone.loop.scheduleTask(in: scaled(stream.holdTime.sample(&rng))) { [self] in hangUp() }
    }

    /// Sends to, and plays, the session `sdp` describes, in its first codec.
    private func connectMedia(to sdp: SessionDescription) {
        guard let media, let id = mediaID, let audio = sdp.audio, let host = sdp.address(of: audio) else { return }
        if let law = audio.codecNames.first.flatMap(G711.Law.init(codec:)), stream.codecs.contains(law) { media.setLaw(id, law) }
        media.connect(id, host: host, port: audio.port)
    }

    /// What the caller heard before an agent answered (or it left): seconds of sound in the audio
    /// it received (the queue's music and announcements, a menu, a voicemail greeting), once.
    private func noteWaitingSound() {
        guard !waitingSoundNoted, let inv = invite, let id = mediaID, let seconds = media?.soundSeconds(id) else { return }
        waitingSoundNoted = true
        observations.update(inv.callID) { $0.heardWhileWaiting = seconds }
    }

    private func giveUp() {
        guard let inv = invite else { return }
        if state == .answered, waitingForAgent {
            // Answered by a menu or a queue, no agent yet: the caller hangs up (abandoned).
            hangUp()
            return
        }
        guard state == .calling || state == .early else { return }
        state = .cancelling
        phone.send(Dialog.cancel(of: inv))
    }

    private func hangUp() {
        guard ok != nil, var dialog, state == .answered else { return }
        state = .ending
        let bye = dialog.request("BYE", via: phone.via())
        self.dialog = dialog
        phone.send(bye)
    }

    private func end(_ outcome: CallObservation.Outcome) {
        guard state != .ended, let inv = invite else { return }
        // Ended before any agent answered a call the engine answered: the caller gave up
        // (abandoned), or the engine ended it (a menu's hangup, voicemail: failed here).
        var outcome = outcome
        if waitingForAgent, outcome == .answered { outcome = state == .ending ? .abandoned : .failed }
        observations.forgetAgentAnswer(inv.callID)
        noteWaitingSound()  // no agent answered: all it heard, it heard waiting
        state = .ended
        patienceTimer?.cancel()
        holdTimer?.cancel()
        let report = mediaID.flatMap { media?.close($0) }
        observations.update(inv.callID) { o in
            o.outcome = outcome
            o.endedAt = clock.now
            o.customerHeard = report?.heard
            o.heardTimeline = report?.timeline
        }
        phone.close()
        done.succeed()
    }

    /// The scenario's duration is over and the call is still up (waiting, ringing or talking):
    /// it is recorded as unfinished, as in virtual time.
    func abandonRun() {
        phone.loop.execute { [self] in
            guard state != .ended else { return }
            end(.unfinished)
        }
    }
}
