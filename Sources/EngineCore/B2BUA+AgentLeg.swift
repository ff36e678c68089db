import SIP
import CallCenter

/// The agent's side: we INVITE the agent's registered contact, ACK its final response, CANCEL or
/// BYE it (RFC 3261 §13.2, §17.1.1.3, §9.1, §15).
extension B2BUA {
    /// Rings the agent's device(s) (`Settings.devices`): one INVITE, its own leg and Call-ID, per device.
    mutating func ringAgent(_ id: CallID, _ agent: AgentID, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id] else { return }
        let devices = registrar.targets(of: agent, devices: settings.devices)
        guard !devices.isEmpty else {
            out.append(.log(.warning, "agent \(agent) has no registered contact; trying the next agent", call: id))
            route(.agentRejected(id, agent), now: now, into: &out)
            return
        }
        if call.agentPort == nil {
            // The agent side's port, taken at the first ring (a waiting call held only the caller's).
            guard let port = ports.allocate(now: now) else {
                // Every port in use, and the agent's last call's still closing (the agent was
                // free before its port came back): the ring goes out when a port comes back.
                // Failing instead made the freed agent take the next waiting call, which failed
                // too, until every waiting call had failed.
                if closingPorts > ringsAwaitingPort.count {
                    ringsAwaitingPort.append((id, agent))
                    out.append(.log(.info, "agent \(agent)'s ring waits for a relay port being closed (\(ports.capacity) call legs fill media.rtp_ports)", call: id))
                    return
                }
                out.append(.log(.warning, "no free relay port for the agent side (\(ports.capacity) call legs fill media.rtp_ports); the call ends", call: id))
                route(.callFailed(id, .mediaPortsExhausted), now: now, into: &out)
                return
            }
            call.agentPort = port
            calls[id] = call
            agentSides += 1
            out.append(.openMedia(id, .agent, port: port))
        }
        let cust = call.customer.invite
        var from = NameAddress(displayName: cust.from.displayName, uri: SIPURI(user: cust.from.uri.user, host: settings.sip.host, port: settings.sip.port))
        from.tag = ids.tag()
        for binding in devices {
            let legCallID = ids.callID()
            var invite = SIPMessage(
                startLine: .request(method: "INVITE", uri: binding.contact.uri),
                via: [localVia(ids.branch())], from: from,
                to: NameAddress(uri: SIPURI(user: agent, host: settings.sip.host, port: settings.sip.port)),
                callID: legCallID, cseq: CSeq(1, "INVITE"), contact: [localContact(over: binding.target.transport)],
                contentType: "application/sdp",
                headers: [Header("Max-Forwards", "70"), Header("User-Agent", settings.userAgent), Header("X-CC-Call", id)],
                body: agentOffer(call).bytes)
            invite.route = binding.path  // a phone registered through proxies is reached through them (RFC 3327)
            // The queue the call is in now (after recipes and overflow), and the one dialled when it differs.
            let dialled = cust.requestURI?.user
            if let q = center.callPlacement(id)?.queue ?? dialled { invite.setHeader("X-CC-Queue", q) }
            if let dialled, let q = center.callPlacement(id)?.queue, q != dialled { invite.setHeader("X-CC-Original-Queue", dialled) }
            if let item = call.message {
                // What the phone (or its agent page) shows: a message to listen to, and whose call left it.
                invite.setHeader("X-CC-Media", "voicemail")
                invite.setHeader("X-CC-Voicemail", item.message.call)
            }
            call.agentLegs[legCallID] = AgentLeg(agent: agent, invite: invite, target: binding.target, startedAt: now)
            agentLegIndex[legCallID] = id
            out.append(.log(.info, "ringing agent \(agent) at \(binding.target)", call: id))
            out.append(.send(invite, to: binding.target))
        }
        calls[id] = call
    }

    /// Rings that waited for a relay port (`ringAgent`), now that the relay closed some: in the
    /// order they came, while ports last. A call that ended or a ring withdrawn meanwhile is gone
    /// from the list already.
    mutating func ringWaitingAgents(now: Duration, into out: inout [B2BUAAction]) {
        while !ringsAwaitingPort.isEmpty, ports.available > 0 {
            let ring = ringsAwaitingPort.removeFirst()
            ringAgent(ring.call, ring.agent, now: now, into: &out)
        }
    }

    /// Cancels every device of the agent that is still ringing for this call.
    mutating func cancelRing(_ id: CallID, _ agent: AgentID, into out: inout [B2BUAAction]) {
        ringsAwaitingPort.removeAll { $0.call == id && $0.agent == agent }
        guard let call = calls[id] else { return }
        for (key, leg) in call.agentLegs where leg.agent == agent && leg.phase == .calling {
            cancelLeg(id, legKey: key, into: &out)
        }
    }

    /// RFC 3261 §9.1: no CANCEL before a provisional response; until one arrives the leg is
    /// marked and the CANCEL goes out with it (or a final answer settles the leg first).
    mutating func cancelLeg(_ id: CallID, legKey: String, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var leg = call.agentLegs[legKey], leg.phase == .calling else { return }
        if let cancel = leg.cancel() { out.append(.send(cancel, to: leg.target)) }
        call.agentLegs[legKey] = leg
        call.customer.earlyMediaEnded(legKey)
        calls[id] = call
    }

    mutating func byeAgent(_ id: CallID, legKey: String, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var leg = call.agentLegs[legKey], leg.phase == .answered else { return }
        let bye = leg.dialog.request("BYE", via: localVia(ids.branch()))
        leg.end()
        call.agentLegs[legKey] = leg
        calls[id] = call
        out.append(.send(bye, to: inDialogTarget(leg)))
    }

    /// Where our requests inside an agent leg's dialog go. Without a route set: the address the
    /// phone registered from (its NAT-aware target), or, for a phone registered through proxies
    /// (a Path, whose first hop is `leg.target`), its Contact, as RFC 3261 §12.2.1.1 says.
    func inDialogTarget(_ leg: AgentLeg) -> Endpoint {
        guard !leg.invite.route.isEmpty else { return destination(leg.dialog, direct: leg.target) }
        let contact = leg.dialog.remoteTarget
        return destination(leg.dialog, direct: Endpoint(uri: contact))
    }

    /// Where a request built by `dialog` goes (RFC 3261 §8.1.2): the first proxy of its route set,
    /// or `direct`, the peer's address after the NAT policy, when it has none.
    func destination(_ dialog: Dialog, direct: Endpoint) -> Endpoint {
        guard dialog.hasRouteSet else { return direct }
        return Endpoint(uri: dialog.nextHop)
    }

    mutating func receiveResponse(_ response: SIPMessage, now: Duration, into out: inout [B2BUAAction]) {
        guard response.cseq.method == "INVITE", let status = response.status else { return }  // BYE/CANCEL answers
        if var leg = lingeringLegs[response.callID] {
            if status < 200 {
                if let cancel = leg.provisional(response) { out.append(.send(cancel, to: leg.target)) }
                lingeringLegs[response.callID] = leg
                return
            }
            leg.dialog.received(response: response)
            lingeringAgentLegResponse(response, status: status, leg: leg, into: &out)
            return
        }
        guard let id = agentLegIndex[response.callID], var call = calls[id], var leg = call.agentLegs[response.callID] else { return }
        if status < 200 {
            if let cancel = leg.provisional(response) { out.append(.send(cancel, to: leg.target)) }
            call.agentLegs[response.callID] = leg
            calls[id] = call
            if leg.phase == .calling { agentProgress(id, response: response, status: status, into: &out) }
            return
        }
        if status >= 300, leg.phase == .answered, call.pendingReinvite != nil {
            agentReinviteAnswered(&call, response: response, status: status, into: &out)  // re-INVITE refused
            calls[id] = call
            return
        }
        if status >= 300 {
            // The client INVITE transaction ACKs a non-2xx itself (RFC 3261 §17.1.1.3).
            let wasCalling = leg.phase == .calling
            leg.end()
            call.agentLegs[response.callID] = leg
            calls[id] = call
            if wasCalling { agentLegFailed(id, leg.agent, why: "declined with \(status)", now: now, into: &out) }
            finishIfDone(id, now: now, into: &out)
            return
        }
        // 2xx: ACK it (a new transaction, RFC 3261 §13.2.2.4), also for retransmitted 2xx.
        leg.dialog.received(response: response)
        call.agentLegs[response.callID] = leg
        out.append(.send(leg.dialog.ack(for: response, via: localVia(ids.branch())), to: inDialogTarget(leg)))
        if leg.phase == .answered, response.cseq.number > 1, call.pendingReinvite != nil {
            agentReinviteAnswered(&call, response: response, status: status, into: &out)
            calls[id] = call
            return
        }
        let wasCalling = leg.phase == .calling
        guard leg.answered(response) else { return }  // a retransmitted 2xx: ACKed above
        call.agentLegs[response.callID] = leg
        calls[id] = call
        if let mismatch = Self.answerMismatch(response, toOfferIn: leg.invite) {
            // RFC 3264: bridged, this answer would leave the caller without audio: a failed ring.
            byeAgent(id, legKey: response.callID, into: &out)
            if wasCalling { agentLegFailed(id, leg.agent, why: "answered SDP that does not fit our offer (\(mismatch)); hung up that leg", now: now, into: &out) }
            finishIfDone(id, now: now, into: &out)
            return
        }
        // This device took the call: the agent's other devices stop ringing.
        for (key, other) in call.agentLegs where other.agent == leg.agent && other.phase == .calling {
            cancelLeg(id, legKey: key, into: &out)
        }
        route(.agentAnswered(id, leg.agent), now: now, into: &out)
        // The core did not bridge this leg (caller gone, or another agent won a ring-all): hang it up.
        if calls[id]?.bridgedLeg != response.callID {
            out.append(.log(.info, "agent \(leg.agent) answered a call that is no longer waiting; hanging up that leg", call: id))
            byeAgent(id, legKey: response.callID, into: &out)
            finishIfDone(id, now: now, into: &out)
        }
    }

    /// How the SDP in an agent's response fails the offer in our INVITE (RFC 3264 §6); nil when it fits.
    static func answerMismatch(_ response: SIPMessage, toOfferIn invite: SIPMessage) -> OfferAnswer.Mismatch? {
        guard let offer = try? SessionDescription.parse(invite.body) else { return nil }
        guard !response.body.isEmpty, let answer = try? SessionDescription.parse(response.body) else { return .noAnswer }
        return OfferAnswer.check(answer, against: offer)
    }

    /// A leg we cancelled after its call ended: ACK its final answer; a 2xx that crossed our CANCEL
    /// is ACKed and hung up at once (RFC 3261 §9.1: the CANCEL may lose the race).
    private mutating func lingeringAgentLegResponse(_ response: SIPMessage, status: Int, leg: AgentLeg, into out: inout [B2BUAAction]) {
        guard status >= 200 else { return }
        let inv = leg.invite
        if status < 300 {
            var dialog = leg.dialog
            let to = inDialogTarget(leg)
            out.append(.send(dialog.ack(for: response, via: localVia(ids.branch())), to: to))
            out.append(.send(dialog.request("BYE", via: localVia(ids.branch())), to: to))
            out.append(.log(.info, "agent \(leg.agent) answered after the call ended; hung up that leg", call: inv.header("X-CC-Call")))
        }
        // A non-2xx was ACKed by its transaction (RFC 3261 §17.1.1.3).
        lingeringLegs[inv.callID] = nil
        out.append(.cancelTimer(.lingeringLeg(inv.callID)))
    }

    /// A request to an agent leg got no final answer: an INVITE that timed out is a failed ring.
    mutating func requestFailed(callID: String, method: String, unreachable: Bool, now: Duration, into out: inout [B2BUAAction]) {
        guard method == "INVITE", let id = agentLegIndex[callID], var call = calls[id], var leg = call.agentLegs[callID],
              leg.phase == .calling || leg.phase == .cancelling
        else { return }
        let wasCalling = leg.phase == .calling
        leg.end()
        call.agentLegs[callID] = leg
        calls[id] = call
        let why = unreachable ? "could not be reached (the INVITE could not be sent)" : "never answered the INVITE (Timer B)"
        if wasCalling { agentLegFailed(id, leg.agent, why: why, now: now, into: &out) }
        finishIfDone(id, now: now, into: &out)
    }

    /// One device of the agent failed to take the call; the ring failed once none is left ringing.
    private mutating func agentLegFailed(_ id: CallID, _ agent: AgentID, why: String, now: Duration, into out: inout [B2BUAAction]) {
        guard let call = calls[id] else { return }
        if call.agentLegs.values.contains(where: { $0.agent == agent && ($0.phase == .calling || $0.phase == .answered) }) {
            out.append(.log(.info, "a device of agent \(agent) \(why); its other devices still ring", call: id))
            return
        }
        out.append(.log(.info, "agent \(agent) \(why); trying the next agent", call: id))
        route(.agentRejected(id, agent), now: now, into: &out)
    }

    /// 180/183 from a ringing agent, reflected to the caller (RFC 3261 §13.3.1.1): the first 180
    /// as ringing, and a provisional with SDP as early media through the relay (RFC 3960's gateway
    /// model: the caller gets our answer, the relay learns the agent's address). The caller's
    /// single early dialog keeps our To-tag whichever agent or device rings.
    private mutating func agentProgress(_ id: CallID, response: SIPMessage, status: Int, into out: inout [B2BUAAction]) {
        // A caller hearing its queue's media keeps hearing it until an agent answers: no 180
        // (a phone would switch to its own ringback) and no agent early media.
        guard var call = calls[id], call.customer.phase == .early, call.waitingMedia == nil else { return }
        // The device whose early media the caller hears, while it still rings.
        let earlyActive = call.customer.earlyMediaLeg.flatMap { call.agentLegs[$0]?.phase } == .calling
        if !earlyActive, let sdp = try? SessionDescription.parse(response.body), let audio = sdp.audio,
           let host = sdp.address(of: audio), let leg = call.agentLegs[response.callID],
           Self.answerMismatch(response, toOfferIn: leg.invite) == nil {
            // The first answer given stays the caller's (RFC 3264); later devices were offered only its codecs.
            call.customer.answer = call.customer.answer ?? customerAnswer(call, agentAudio: audio)
            out.append(.setMediaPeer(id, .agent, Endpoint(host: host, port: audio.port)))
            out.append(.mapPayloadTypes(id, callerToAgent: payloadMap(call, agentAudio: audio)))
            var progress = call.customer.invite.response(183, toTag: call.customer.localTag)
            progress.contact = [localContact(over: call.customer.source.transport)]
            progress.contentType = "application/sdp"
            progress.body = call.customer.answer?.bytes ?? []
            call.customer.earlyMedia(progress, from: response.callID)
            out.append(.log(.info, "agent phone sent early media (\(status)); relayed to the caller", call: id))
            out.append(.send(progress, to: call.customer.responseTarget))
        } else if status == 180, !earlyActive {
            var ringing = call.customer.invite.response(180, toTag: call.customer.localTag)
            ringing.contact = [localContact(over: call.customer.source.transport)]
            if call.customer.ring(ringing) { out.append(.send(ringing, to: call.customer.responseTarget)) }
        }
        calls[id] = call
    }

    /// Requests from an agent inside its leg's dialog: BYE, re-INVITE, INFO.
    mutating func agentLegRequest(_ request: SIPMessage, call id: CallID, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) {
        let target = responseTarget(request, source)
        guard var call = calls[id], var leg = call.agentLegs[request.callID] else {
            out.append(.send(request.response(481), to: target))
            return
        }
        if case .outOfOrder(let last) = leg.dialog.received(request: request) {
            out.append(.log(.notice, "agent \(leg.agent) sent \(request.cseq) below its last CSeq \(last); answered 500", call: id))
            out.append(.send(outOfOrder(request), to: target))
            return
        }
        call.agentLegs[request.callID] = leg
        calls[id] = call
        switch request.method {
        case "BYE":
            out.append(.send(request.response(200), to: target))
            leg.end()
            call.agentLegs[request.callID] = leg
            calls[id] = call
            out.append(.log(.info, "agent \(leg.agent) hung up", call: id))
            route(.agentHungUp(id), now: now, into: &out)
        case "ACK":
            break
        case "INVITE":
            // The agent's re-INVITE: answered with the relay's side of the session, its direction mirrored.
            var ok = request.response(200)
            ok.contact = [localContact(over: source.transport)]
            ok.contentType = "application/sdp"
            var answer = agentOffer(call)
            if let offered = try? SessionDescription.parse(request.body), let a = offered.audio {
                answer.setAudioDirection(OfferAnswer.answerDirection(to: a.direction))
            }
            ok.body = answer.bytes
            out.append(.send(ok, to: target))
        default:
            out.append(.send(request.response(200), to: target))
        }
        finishIfDone(id, now: now, into: &out)
    }

    /// Offers the customer's new session to the agent inside the agent leg's dialog.
    mutating func reinviteAgent(_ call: inout BridgedCall, offer request: SIPMessage, into out: inout [B2BUAAction]) {
        guard let key = call.bridgedLeg, var leg = call.agentLegs[key],
              let newOffer = try? SessionDescription.parse(request.body), let audio = newOffer.audio else { return }
        var offer = agentOffer(call)
        offer.sessionVersion = UInt64(leg.dialog.localCSeq + 1)
        offer.setAudioDirection(audio.direction)
        let reinvite = leg.dialog.request("INVITE", via: localVia(ids.branch()), contact: localContact(over: leg.target.transport),
                                          contentType: "application/sdp", body: offer.bytes)
        call.agentLegs[key] = leg
        call.pendingReinvite = request
        if let host = newOffer.address(of: audio) {
            out.append(.setMediaPeer(call.id, .caller, Endpoint(host: host, port: audio.port)))
        }
        out.append(.log(.info, "re-INVITE from the caller (\(audio.direction)) offered to agent \(leg.agent)", call: call.id))
        out.append(.send(reinvite, to: inDialogTarget(leg)))
    }

    /// The agent answered our re-INVITE: the customer gets the same status, and on 2xx the agent's
    /// direction in the relay's SDP.
    mutating func agentReinviteAnswered(_ call: inout BridgedCall, response: SIPMessage, status: Int, into out: inout [B2BUAAction]) {
        guard let request = call.pendingReinvite else { return }
        call.pendingReinvite = nil
        guard status < 300 else {
            out.append(.send(request.response(status), to: call.customer.responseTarget))
            return
        }
        var ok = request.response(200)
        ok.contact = [localContact(over: call.customer.source.transport)]
        ok.contentType = "application/sdp"
        if var answer = customerAnswer(call) {
            let agentAudio = (try? SessionDescription.parse(response.body))?.audio
            // RFC 3264 §8: a changed session gets a higher version; the new answer is then the
            // agreed one (a later refresh without an offer repeats it, version and direction).
            answer.sessionVersion = answer.sessionVersion + 1
            answer.setAudioDirection(agentAudio?.direction ?? "sendrecv")
            if let a = agentAudio, let sdp = try? SessionDescription.parse(response.body), let host = sdp.address(of: a) {
                out.append(.setMediaPeer(call.id, .agent, Endpoint(host: host, port: a.port)))
            }
            call.customer.answer = answer
            ok.body = answer.bytes
        }
        out.append(.send(ok, to: call.customer.responseTarget))
    }

    /// The offer to the agent: the relay's agent-side port, the caller's usable codecs.
    func agentOffer(_ call: BridgedCall) -> SessionDescription {
        let offered = call.customer.offer.audio
        // Once the caller has an answer (a 183 with early media), agents are offered only its
        // codecs: the relay does not transcode.
        let agreed = call.customer.answer?.audio?.formats
        let formats = offered?.formats.filter {
            let name = offered?.encodingName(of: $0) ?? ""
            return (settings.codecs.contains(name) || name == "TELEPHONE-EVENT") && (agreed?.contains($0) ?? true)
        } ?? [0]
        let attrs = (offered?.attributes ?? []).filter { a in
            guard a.name == "rtpmap" || a.name == "fmtp", let v = a.value, let pt = Int(v.prefix { $0 != " " }) else { return false }
            return formats.contains(pt)
        } + [.init("ptime", "20"), .init("sendrecv")]
            // RTCP on the RTP port only when both phones do it (RFC 5761): offered to the agent
            // when the caller offered it; the caller's answer has it only if the agent accepted.
            + (offered?.rtcpMux == true ? [.init("rtcp-mux")] : [])
        return SessionDescription(
            sessionID: UInt64(call.agentPort ?? 9), sessionVersion: 1, originAddress: settings.mediaHost,
            connectionAddress: settings.mediaHost,
            media: [MediaDescription(port: call.agentPort ?? 9, formats: formats, attributes: attrs)])
    }
}
