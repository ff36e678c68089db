import SIP
import CallCenter

/// The customer's side: INVITE to a queue address, CANCEL, BYE, ACK (RFC 3261 §13.3, §9.2, §15).
extension B2BUA {
    mutating func newCustomerCall(_ invite: SIPMessage, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) {
        let target = responseTarget(invite, source)
        let tag = ids.tag()
        let dialled = invite.requestURI?.user ?? ""
        let queue = numbers[dialled] ?? dialled
        guard queues.contains(queue) || menus[queue] != nil else {
            out.append(.log(.notice, "INVITE for unknown queue '\(queue)' answered 404", call: invite.callID))
            out.append(.send(invite.response(404, "Not Found (no queue '\(queue)')", toTag: tag), to: target))
            return
        }
        let offer: SessionDescription
        do {
            offer = try SessionDescription.parse(invite.body)
        } catch {
            let why = invite.body.isEmpty ? "INVITE without an SDP offer" : "\(error)"
            out.append(.log(.notice, "\(why); answered 488", call: invite.callID))
            out.append(.send(invite.response(488, "Not Acceptable Here (\(invite.body.isEmpty ? "no SDP offer" : "bad SDP"))", toTag: tag), to: target))
            return
        }
        guard let audio = offer.audio, offer.address(of: audio) != nil,
              audio.formats.contains(where: { settings.codecs.contains(audio.encodingName(of: $0) ?? "") })
        else {
            out.append(.log(.notice, "SDP offer has no usable audio codec (need one of \(settings.codecs.sorted().joined(separator: ", "))); answered 488", call: invite.callID))
            var r = invite.response(488, "Not Acceptable Here (no usable codec)", toTag: tag)
            r.setHeader("Warning", "304 ccengine \"Media type not available\"")
            out.append(.send(r, to: target))
            return
        }
        let caller = Self.caller(of: invite)
        guard !draining else {
            out.append(.log(.info, "draining: new call from \(caller.id) refused with 503", call: invite.callID))
            out.append(.send(refusal(invite, "Service Unavailable (draining)", toTag: tag), to: target))
            return
        }
        guard ports.available > portReserve, let callerPort = ports.allocate(now: now) else {
            // The engine's own limit, not the caller's doing: recorded as failed with the cause.
            out.append(.log(.warning, "no free relay port for a new caller (media.rtp_ports holds \(ports.capacity) call legs, \(portReserve) kept for agents' sides); answered 503", call: invite.callID))
            refuseNewCall(invite, .mediaPortsExhausted, queue: queue, toTag: tag, target: target, now: now, into: &out)
            return
        }
        var trying = invite.response(100)
        trying.setHeader("Server", settings.userAgent)
        let leg = CustomerLeg(invite: invite, responseTarget: target, source: source, localTag: tag,
                              dialog: Dialog(uas: invite, localTag: tag), offer: offer, trying: trying)
        // A waiting caller holds its own side's port only; the agent side takes one at the first ring.
        calls[invite.callID] = BridgedCall(id: invite.callID, customer: leg, callerPort: callerPort)
        calls[invite.callID]?.acceptedAt = now
        calls[invite.callID]?.queue = queue
        out.append(.openMedia(invite.callID, .caller, port: callerPort))
        if let host = offer.address(of: audio) {
            out.append(.setMediaPeer(invite.callID, .caller, Endpoint(host: host, port: audio.port)))
        }
        let priority = invite.header("X-CC-Priority").flatMap { Int($0) } ?? 1
        out.append(.openRecord(AcceptedCall(callID: invite.callID, queue: queue, caller: caller, acceptedAt: now)))
        if dialled != queue { out.append(.log(.info, "number \(dialled) leads to \(queue)", call: invite.callID)) }
        if menus[queue] != nil {
            out.append(.send(trying, to: target))
            enterMenu(invite.callID, queue, now: now, into: &out)
            return
        }
        out.append(.log(.info, "call from \(caller.id) queued in \(queue)", call: invite.callID))
        let mark = out.count
        route(.callArrived(invite.callID, queue: queue, caller: caller, media: .voice, priority: priority), now: now, into: &out)
        // The INVITE to an agent is the call's critical path, so our 100 goes out after it (RFC
        // 3261 §17.2.1 only asks for one within 200 ms), but before any other answer to the caller.
        let firstAnswer = out[mark...].firstIndex {
            if case .send(let m, _) = $0, m.status != nil, m.callID == invite.callID { true } else { false }
        }
        out.insert(.send(trying, to: target), at: firstAnswer ?? out.endIndex)
        if firstAnswer == nil { startQueueMedia(invite.callID, queue: queue, now: now, into: &out) }
    }

    mutating func customerRequest(_ request: SIPMessage, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[request.callID] else { return }
        let target = responseTarget(request, source)
        if request.to.tag != nil, case .outOfOrder(let last) = call.customer.dialog.received(request: request) {
            out.append(.log(.notice, "caller sent \(request.cseq) below its last CSeq \(last); answered 500", call: call.id))
            out.append(.send(outOfOrder(request), to: target))
            return
        }
        calls[call.id] = call
        switch request.method {
        case "INVITE" where request.to.tag == nil:
            // RFC 3261 §17.2.1: a retransmitted INVITE gets the last response again, never a new call.
            out.append(.send(call.customer.lastResponse, to: call.customer.responseTarget))
        case "ACK":
            break  // the ACK for our 2xx or for our 487/4xx: nothing more to send
        case "CANCEL":
            out.append(.send(request.response(200), to: target))
            guard call.customer.phase == .early else { return }
            out.append(.log(.info, "caller cancelled", call: call.id))
            endCustomer(call.id, status: 487, reason: nil, into: &out)
            route(.callerHungUp(call.id), now: now, into: &out)
        case "BYE":
            out.append(.send(request.response(200), to: target))
            call.customer.callerEnded()
            calls[call.id] = call
            out.append(.log(.info, "caller hung up", call: call.id))
            if call.menu != nil {
                callerLeftMenu(call.id, now: now, into: &out)
            } else {
                route(.callerHungUp(call.id), now: now, into: &out)
            }
        case "INFO" where call.menu != nil || call.voicemail != nil:
            // SIP INFO digits (application/dtmf-relay "Signal=5", or application/dtmf "5"): the
            // fallback for phones that do not send RFC 4733 events.
            out.append(.send(request.response(200), to: target))
            if let digit = Self.infoDigit(request) { digitPressed(call.id, digit, now: now, into: &out) }
        case "INVITE" where !request.body.isEmpty && call.bridgedLeg.flatMap({ call.agentLegs[$0]?.phase }) == .answered && call.pendingReinvite == nil:
            // Re-INVITE with a new offer (hold, unhold, codec change): offered on to the agent; the
            // customer is answered with the agent's answer (see agentReinviteAnswered).
            reinviteAgent(&call, offer: request, into: &out)
            calls[call.id] = call
        case "INVITE":
            // Session refresh without an offer, or while another re-INVITE is pending (RFC 3261 §14.2 would say 491;
            // answering with the agreed session keeps the call up).
            var ok = request.response(200)
            ok.contact = [localContact(over: call.customer.source.transport)]
            if let answer = customerAnswer(call) {
                ok.contentType = "application/sdp"
                ok.body = answer.bytes
            }
            out.append(.send(ok, to: target))
        default:
            out.append(.send(request.response(200), to: target))  // INFO, OPTIONS, UPDATE in dialog
        }
        finishIfDone(call.id, now: now, into: &out)
    }

    /// Overload (`OverloadControl`): a new INVITE refused with 503 + Retry-After before the
    /// transaction layer, routing, SDP or relay ports, statelessly (RFC 3261 §8.2.6 allows a UAS
    /// to answer so), with no row: under overload every refused call must cost as little as
    /// possible, so it never enters the engine (counted in the overload log line instead). Nil
    /// when the call is admitted.
    public mutating func shed(_ invite: SIPMessage, from source: Endpoint, now: Duration) -> B2BUAAction? {
        guard calls[invite.callID] == nil else { return nil }
        if sourceLimits.limits.isOn, !sourceLimits.allow("INVITE", from: source.host, now: now) {
            return .send(refusal(invite, "Service Unavailable (rate limit)", toTag: ids.tag()), to: responseTarget(invite, source))
        }
        guard !overload.admit(now: now) else { return nil }
        return .send(refusal(invite, Self.finalResponse(.overload).phrase ?? "Service Unavailable", toTag: ids.tag()),
                     to: responseTarget(invite, source))
    }

    /// A REGISTER over its source's rate (`overload.per_source`): 503 with Retry-After, stateless.
    public mutating func limitRegister(_ register: SIPMessage, from source: Endpoint, now: Duration) -> B2BUAAction? {
        guard sourceLimits.limits.isOn, !sourceLimits.allow("REGISTER", from: source.host, now: now) else { return nil }
        return .send(refusal(register, "Service Unavailable (rate limit)", toTag: ids.tag()), to: responseTarget(register, source))
    }

    static func infoDigit(_ info: SIPMessage) -> Character? {
        let body = String(decoding: info.body, as: UTF8.self)
        let type = info.contentType?.lowercased() ?? ""
        let value: Substring?
        if type.hasPrefix("application/dtmf-relay") {
            value = body.split(whereSeparator: \.isNewline).first { $0.lowercased().hasPrefix("signal=") }?.dropFirst("signal=".count)
        } else if type.hasPrefix("application/dtmf") {
            value = Substring(body)
        } else {
            return nil
        }
        guard let v = value?.trimmingCharacters(in: .whitespaces), v.count == 1, let c = v.first, "0123456789*#ABCDabcd".contains(c) else { return nil }
        return Character(c.uppercased())
    }

    static func caller(of invite: SIPMessage) -> CallerInfo {
        CallerInfo(id: invite.from.uri.user ?? "anonymous", name: invite.from.displayName ?? "", client: invite.header("X-CC-Client"))
    }

    /// Refuses a new call for the engine's own `reason` (overload, no relay ports): 503 with
    /// Retry-After, and a `failed` row naming the cause, since the caller did try to call.
    mutating func refuseNewCall(_ invite: SIPMessage, _ reason: EndReason, queue: String, toTag tag: String, target: Endpoint,
                                now: Duration, into out: inout [B2BUAAction]) {
        out.append(.send(refusal(invite, Self.finalResponse(reason).phrase ?? "Service Unavailable", toTag: tag), to: target))
        out.append(.record(CallRecord(
            callID: invite.callID, queue: queue, originalQueue: queue, agent: nil, caller: Self.caller(of: invite), media: .voice,
            enqueuedAt: now, firstRingAt: nil, answeredAt: nil, endedAt: now, disposition: .failed, attempts: 0, endReason: reason)))
    }

    /// 503 with Retry-After (RFC 3261 §21.5.4): the engine cannot take the call now; a proxy in
    /// front may try another node at once.
    func refusal(_ invite: SIPMessage, _ phrase: String, toTag: String?) -> SIPMessage {
        var r = invite.response(503, phrase, toTag: toTag)
        r.setHeader("Retry-After", String(settings.retryAfter))
        return r
    }

    /// Final non-2xx to an unanswered customer, or BYE to an answered one.
    mutating func endCustomer(_ id: CallID, status: Int, reason: String?, into out: inout [B2BUAAction]) {
        guard var call = calls[id] else { return }
        let invite = call.customer.invite, tag = call.customer.localTag
        let branch = call.customer.phase == .answered ? ids.branch() : ""
        let ending = call.customer.end(
            final: { status == 503 ? refusal(invite, reason ?? "Service Unavailable", toTag: tag) : invite.response(status, reason, toTag: tag) },
            bye: { [localVia] dialog in dialog.request("BYE", via: localVia(branch)) })
        switch ending {
        case .response(let r): out.append(.send(r, to: call.customer.responseTarget))
        case .bye(let bye): out.append(.send(bye, to: requestTarget(call.customer)))
        case .none: break
        }
        calls[id] = call
    }

    /// Relay ports a new caller may not take: one for the agent side of every call an agent who
    /// holds none could be rung for (each agent rings at most one call; a ringing or bridged
    /// call already holds its agent side), so a waiting caller never finds no port when its
    /// agent is rung.
    var portReserve: Int { max(0, center.agentCount - agentSides) }

    /// Where our requests to the caller go: the first proxy of the route set, or the caller's
    /// Contact (the remote target) after the NAT policy.
    func requestTarget(_ customer: CustomerLeg) -> Endpoint {
        let contact = customer.dialog.remoteTarget
        let direct = settings.natPolicy.target(contact: contact, source: customer.source)
        return destination(customer.dialog, direct: direct)
    }

    /// The relay's renumbering between the caller's agreed telephone-event and `agentAudio`'s
    /// (empty when they agree, or one side has none).
    func payloadMap(_ call: BridgedCall, agentAudio: MediaDescription) -> [Int: Int] {
        guard let caller = call.customer.answer?.audio?.telephoneEvent, let agent = agentAudio.telephoneEvent, caller != agent else { return [:] }
        return [caller: agent]
    }

    /// The SDP we give the customer (RFC 3264 §6): the caller's m-lines in order, its audio
    /// stream at the relay's caller port with the codec the agent chose (in the caller's payload
    /// numbers), telephone-event only when both sides have it, in the caller's number (the relay
    /// renumbers it, `payloadMap`), every other stream rejected with port 0, the direction
    /// answering the caller's. Once given (in a 183 or the 200) it is the agreed answer and stays
    /// the same (RFC 3264 §8).
    /// `singleCodec`: the first usable codec only (the relay plays to the caller before any agent
    /// has chosen, and must know which one the caller decodes).
    func customerAnswer(_ call: BridgedCall, agentAudio: MediaDescription? = nil, singleCodec: Bool = false) -> SessionDescription? {
        if agentAudio == nil, let agreed = call.customer.answer { return agreed }
        guard let offered = call.customer.offer.audio else { return nil }
        let agentAudio = agentAudio ?? call.bridgedLeg.flatMap { call.agentLegs[$0]?.answer }.flatMap { try? SessionDescription.parse($0.body) }?.audio
        var codecs = offered.codecNames.filter { settings.codecs.contains($0) }
        if singleCodec { codecs = Array(codecs.prefix(1)) }
        if let chosen = agentAudio?.codecNames.first, codecs.contains(chosen) { codecs = [chosen] }
        // telephone-event where both sides have it, each in its own number (the relay renumbers).
        let events = offered.telephoneEvent != nil && (agentAudio.map { $0.telephoneEvent != nil } ?? true)
        return OfferAnswer.answer(to: call.customer.offer, address: settings.mediaHost, port: call.callerPort ?? 9, codecs: codecs,
                                  telephoneEvent: events, sessionID: UInt64(call.callerPort ?? 9), version: 1, rtcpMux: agentAudio?.rtcpMux ?? false)
    }
}
