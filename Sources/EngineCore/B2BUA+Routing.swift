import SIP
import CallCenter

/// Carries out the routing core's decisions on the SIP legs.
extension B2BUA {
    /// The one way into the routing core: `event` at engine time `now`, the core's decisions
    /// carried out. The core runs on routing time (`now × timeScale`); its timers and records come
    /// back in engine time.
    ///
    /// Never recursive: an event that carrying out a decision raises (a ring that cannot go out,
    /// so the core offers the call elsewhere) is handled after the decisions of its batch, in
    /// order. Recursing here once overflowed the SIP thread's stack: with every relay port in use,
    /// each failed ring offered the next of ~3,900 waiting calls from inside the last one.
    mutating func route(_ event: CallCenterEvent, now: Duration, into out: inout [B2BUAAction]) {
        guard !routing.active else {
            routing.pending.append(event)
            return
        }
        routing.active = true
        defer { routing.active = false }
        var next = 0
        routing.pending = [event]
        while next < routing.pending.count {
            let event = routing.pending[next]
            next += 1
            let actions = center.handle(event, now: routingTime(now))
            observe(event, actions, now: now, into: &out)
            apply(actions, now: now, into: &out)
            switch event {
            case .agentReleased(let agent, _), .agentAvailable(let agent):
                // A break asked for (or withdrawn) during a call or wrap-up changes no state yet.
                saveRelease(of: agent, into: &out)
            default:
                break
            }
        }
        routing.pending.removeAll(keepingCapacity: true)
    }

    /// What a restart keeps of an agent's release: its break, or the one it asked for during a
    /// call or wrap-up (taken when they end; a crash ends the call, so the agent comes back
    /// released). Saved when it changes, not per call.
    private mutating func saveRelease(of agent: AgentID, into out: inout [B2BUAAction]) {
        var release = center.pendingRelease(of: agent)
        if case .released(let r)? = center.agentState(agent) { release = r }
        if savedReleases[agent] != release {
            savedReleases[agent] = release
            out.append(.saveRelease(agent, release))
        }
    }

    func routingTime(_ engine: Duration) -> Duration { settings.timeScale == 1 ? engine : engine * settings.timeScale }

    /// The engine time at which the routing core's clock reaches `routing` (never before it: the
    /// core ignores a timer that fires early).
    func engineTime(_ routing: Duration) -> Duration {
        guard settings.timeScale != 1 else { return routing }
        let t = routing / settings.timeScale
        return routingTime(t) >= routing ? t : t + .microseconds(1)  // rounding: 1 µs covers it
    }

    func engineRecord(_ r: CallRecord) -> CallRecord {
        guard settings.timeScale != 1 else { return r }
        var r = r
        r.enqueuedAt = engineTime(r.enqueuedAt)
        r.firstRingAt = r.firstRingAt.map(engineTime)
        r.answeredAt = r.answeredAt.map(engineTime)
        r.endedAt = engineTime(r.endedAt)
        return r
    }

    private mutating func apply(_ actions: [CallCenterAction], now: Duration, into out: inout [B2BUAAction]) {
        for action in actions {
            switch action {
            case .ringAgent(let call, let agent):
                ringAgent(call, agent, now: now, into: &out)
            case .cancelRing(let call, let agent):
                cancelRing(call, agent, into: &out)
            case .bridge(let id, let agent):
                bridge(id, agent, into: &out)
            case .startRecording(let id):
                startRecording(id, into: &out)
            case .hangUp(let id, let reason):
                hangUp(id, reason: reason, into: &out)
            case .routeToVoicemail(let id):
                if !startVoicemail(id, now: now, into: &out) {
                    out.append(.log(.notice, "voicemail requested, but the queue has no voicemail box (queues[].media.voicemail); the caller gets 480", call: id))
                    endCustomer(id, status: 480, reason: "Temporarily Unavailable (voicemail)", into: &out)
                    endAgentLegs(id, into: &out)
                }
            case .announce(let id, let prompt):
                recipeAnnouncement(id, prompt: prompt, into: &out)
            case .rejectCall(let id, let reason):
                out.append(.log(.notice, "call rejected: \(reason)", call: id))
                endCustomer(id, status: 486, reason: "Busy Here (\(reason))", into: &out)
            case .startTimer(let timer, let at):
                out.append(.startTimer(.callCenter(timer), at: engineTime(at)))
                if case .wrapUp(let agent) = timer {
                    savedWrapUps[agent] = engineTime(at)
                    out.append(.saveWrapUp(agent, until: engineTime(at)))
                }
            case .cancelTimer(let timer):
                out.append(.cancelTimer(.callCenter(timer)))
            case .agentStateChanged(let agent, let state):
                out.append(.log(.debug, "agent \(agent) is \(state.name)", call: nil))
                saveRelease(of: agent, into: &out)
                if case .wrapUp = state {} else if savedWrapUps.removeValue(forKey: agent) != nil {
                    out.append(.saveWrapUp(agent, until: nil))
                }
            case .callFinished(let record):
                out.append(.record(engineRecord(record), dialogs: calls[record.callID].map { Array($0.agentLegs.keys) } ?? []))
                if var call = calls[record.callID] {
                    call.recorded = true
                    if call.customer.phase == .answered, call.voicemail == nil, call.bridgedLeg.flatMap({ call.agentLegs[$0]?.phase }) != .answered {
                        // The agent side is gone (agent BYE): hang up the caller too.
                        calls[record.callID] = call
                        endCustomer(record.callID, status: 480, reason: nil, into: &out)
                        call = calls[record.callID]!
                    }
                    calls[record.callID] = call
                    if call.customer.phase != .ended, call.voicemail == nil {
                        // The routing core ended a call whose caller is still on the line.
                        endCustomer(record.callID, status: 480, reason: nil, into: &out)
                    }
                    finishIfDone(record.callID, now: now, into: &out)
                }
            }
        }
    }

    private mutating func bridge(_ id: CallID, _ agent: AgentID, into out: inout [B2BUAAction]) {
        guard var call = calls[id], let (key, leg) = call.agentLegs.first(where: { $0.value.agent == agent && $0.value.phase == .answered }) else { return }
        call.bridgedLeg = key
        // The relay's agent side goes to the device that was bridged (not to one whose 200 crossed a CANCEL).
        let agentAudio = leg.answer.flatMap { try? SessionDescription.parse($0.body) }.flatMap { sdp in sdp.audio.map { (sdp, $0) } }
        if let (sdp, audio) = agentAudio, let host = sdp.address(of: audio) {
            out.append(.setMediaPeer(id, .agent, Endpoint(host: host, port: audio.port)))
        }
        defer {
            if let (_, audio) = agentAudio, let c = calls[id] {
                out.append(.mapPayloadTypes(id, callerToAgent: payloadMap(c, agentAudio: audio)))
                // RFC 3264 §5.1: each phone sends only the formats of the answer it gave or got.
                out.append(.expectPayloadTypes(id, .agent, audio.formats))
                if c.message == nil, let callerFormats = c.customer.answer?.audio?.formats { out.append(.expectPayloadTypes(id, .caller, callerFormats)) }
            }
        }
        calls[id] = call
        if call.message != nil { return playMessage(id, to: agent, agentAudio: agentAudio?.1, into: &out) }
        stopQueueMedia(id, into: &out)
        call = calls[id] ?? call
        guard call.customer.phase == .early else { out.append(.log(.info, "bridged to agent \(agent)", call: id)); return }
        var ok = call.customer.invite.response(200, toTag: call.customer.localTag)
        ok.contact = [localContact(over: call.customer.source.transport)]
        ok.setHeader("Server", settings.userAgent)
        ok.contentType = "application/sdp"
        call.customer.answer = customerAnswer(call)
        ok.body = call.customer.answer?.bytes ?? []
        _ = call.customer.answer(with: ok)
        calls[id] = call
        out.append(.log(.info, "bridged to agent \(agent)", call: id))
        out.append(.send(ok, to: call.customer.responseTarget))
    }

    /// Seed 002 StartCallRecording, at the bridge: where the call's queue records, or else the
    /// agent who took it (`agents[].record`); never a voicemail item.
    private mutating func startRecording(_ id: CallID, into out: inout [B2BUAAction]) {
        guard var call = calls[id], call.message == nil, let queue = center.liveCall(id)?.queue else { return }
        let agent = call.bridgedLeg.flatMap { call.agentLegs[$0]?.agent }
        guard let format = queueMedia[queue]?.record ?? agent.flatMap({ agentRecording[$0] }) else { return }
        let max = queueMedia[queue]?.recordMax ?? QueueMedia().recordMax
        call.recordingPaused = false
        calls[id] = call
        out.append(.recordCall(id, format, maxSeconds: Int(max.components.seconds)))
    }

    private mutating func hangUp(_ id: CallID, reason: EndReason, into out: inout [B2BUAAction]) {
        let (status, phrase) = Self.finalResponse(reason)
        endCustomer(id, status: status, reason: phrase, into: &out)
        endAgentLegs(id, into: &out)
    }

    /// What an unanswered caller gets when the call ends for `reason`: 487 only for the caller's
    /// own CANCEL; the engine's faults are 503 with Retry-After (never blamed on the caller).
    static func finalResponse(_ reason: EndReason) -> (status: Int, phrase: String?) {
        switch reason {
        case .callerHangUp: (487, nil)
        case .mediaBindFailed: (503, "Service Unavailable (media relay failed)")
        case .mediaPortsExhausted: (503, "Service Unavailable (no media ports)")
        case .engineShutdown: (503, "Service Unavailable (engine shutting down)")
        case .overload: (503, "Service Unavailable (overload)")
        case .operatorHangUp: (480, "Temporarily Unavailable (ended by an operator)")
        case .noAck, .agentHangUp, .agentLoggedOut, .voicemail, .maxWait, .maxAttempts, .queueFull, .unknownQueue, .invalidSkill, .messagePlayed:
            (480, nil)
        }
    }

    mutating func endAgentLegs(_ id: CallID, into out: inout [B2BUAAction]) {
        guard let call = calls[id] else { return }
        for (key, leg) in call.agentLegs {
            switch leg.phase {
            case .answered: byeAgent(id, legKey: key, into: &out)
            case .calling: cancelRing(id, leg.agent, into: &out)
            case .cancelling, .ended: break
            }
        }
    }

    /// Drops a call's state once its record is written and every leg is down. Agent legs still
    /// waiting for the answer to our CANCEL linger (Timer B, 64*T1) so their 487 is still ACKed.
    mutating func finishIfDone(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard let call = calls[id], call.recorded else { return }
        if let key = call.bridgedLeg, call.agentLegs[key]?.phase == .answered {
            byeAgent(id, legKey: key, into: &out)  // record written while the agent is up: caller gone
        }
        guard let call = calls[id], call.customer.phase == .ended,
              call.agentLegs.values.allSatisfy({ $0.phase == .ended || $0.phase == .cancelling })
        else { return }
        for (key, leg) in call.agentLegs {
            agentLegIndex[key] = nil
            agentLegIndex.shrinkIfSparse()
            if leg.phase == .cancelling {
                lingeringLegs[key] = leg
                out.append(.startTimer(.lingeringLeg(key), at: now + .seconds(32)))
            }
        }
        if call.waitingMedia != nil {
            out.append(.cancelTimer(.announcement(id, .position)))
            out.append(.cancelTimer(.announcement(id, .periodic)))
        }
        if call.voicemail != nil { out.append(.cancelTimer(.voicemailMax(id))) }
        if call.agentPort != nil { agentSides -= 1 }
        if call.mediaFaulty {
            for port in call.ports { ports.quarantine(port, now: now) }  // never bound by us: nothing to close
        } else if !call.ports.isEmpty {
            out.append(.closeMedia(id, ports: call.ports))  // handed out again once closed
            closingPorts += call.ports.count
        }
        ringsAwaitingPort.removeAll { $0.call == id }
        calls[id] = nil
        calls.shrinkIfSparse()
    }
}
