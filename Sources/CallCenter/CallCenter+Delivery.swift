/// Ringing, answering, failing and ending: the call state machine's transitions carried out.
extension CallCenter {
    /// Seed 002 AssignToAgent: RouteToAgent + NotifyAgent, for one agent or a ring-all set.
    mutating func deliver(_ slot: Int, to agentList: [Int]) {
        guard case .routeToAgentAndNotify(let legs) = calls[slot]!.machine.assignToAgents(agentList)
        else { return }
        leaveQueue(slot)
        let id = calls[slot]!.id
        calls[slot]!.attempts += 1
        if calls[slot]!.firstRingAt == nil { calls[slot]!.firstRingAt = now }
        if calls[slot]!.retryDeadline != nil {
            calls[slot]!.retryDeadline = nil
            output.append(.cancelTimer(.retry(id)))
        }
        for a in legs {
            let old = agents[a].machine.state
            _ = agents[a].machine.offer(id)
            offerCounter += 1
            agents[a].lastOffer = offerCounter
            agentMoved(a, from: old)
            let deadline = now + config.ringTimeout
            calls[slot]!.legs.append(RingLeg(agent: a, deadline: deadline))
            output.append(.ringAgent(id, agents[a].login))
            output.append(.startTimer(.ring(id, agents[a].login), at: deadline))
        }
    }

    /// Seed 002 AgentAccept: BridgeToAgent, StartCallRecording; ring-all losers are cancelled.
    mutating func agentAnswered(_ slot: Int, agent a: Int) {
        guard case .bridgeAndRecord(let winner, let losers) = calls[slot]!.machine.agentAccept(a)
        else { return }
        let id = calls[slot]!.id
        dropLeg(slot, agent: winner, cancelTimer: true)
        for loser in losers { withdrawLeg(slot, agent: loser) }
        let old = agents[winner].machine.state
        _ = agents[winner].machine.answer(id)
        agents[winner].callsAnswered += 1
        agents[winner].callStartedAt = now
        agentMoved(winner, from: old)
        calls[slot]!.answeredAt = now
        calls[slot]!.answeredBy = winner
        disarmWaitingTimers(slot)
        output.append(.bridge(id, agents[winner].login))
        output.append(.startRecording(id))
    }

    /// Seed 002 AgentNoAnswer, from a reject (at once) or a ring timeout.
    mutating func ringFailed(_ slot: Int, agent a: Int, timedOut: Bool) {
        let id = calls[slot]!.id
        guard calls[slot]!.legs.contains(where: { $0.agent == a }) else { return }
        let old = agents[a].machine.state
        _ = agents[a].machine.ringFailed(id)  // may release the agent: "Ring Fail"
        agentMoved(a, from: old)
        ringLegEnded(slot, agent: a, sendCancel: timedOut, failure: true)
    }

    /// A leg is gone without an answer; the call goes back to its queue once no leg is left.
    mutating func ringLegEnded(_ slot: Int, agent a: Int, sendCancel: Bool, failure: Bool) {
        let id = calls[slot]!.id
        dropLeg(slot, agent: a, cancelTimer: !(sendCancel && failure))
        if sendCancel { output.append(.cancelRing(id, agents[a].login)) }
        if failure {
            index.recordFailure(slot: slot, agent: a, now: now, base: config.retryBackoff)
        }
        if case .releaseAgentAndFindNext = calls[slot]!.machine.agentNoAnswer(a) {
            requeueAfterFailedDelivery(slot)
        }
    }

    /// Cancels a leg that did nothing wrong (ring-all loser, caller gone): no failure counted.
    mutating func withdrawLeg(_ slot: Int, agent a: Int) {
        let id = calls[slot]!.id
        dropLeg(slot, agent: a, cancelTimer: true)
        output.append(.cancelRing(id, agents[a].login))
        let old = agents[a].machine.state
        _ = agents[a].machine.ringCancelled(id)
        agentMoved(a, from: old)
    }

    private mutating func dropLeg(_ slot: Int, agent a: Int, cancelTimer: Bool) {
        guard let i = calls[slot]!.legs.firstIndex(where: { $0.agent == a }) else { return }
        calls[slot]!.legs.remove(at: i)
        if cancelTimer { output.append(.cancelTimer(.ring(calls[slot]!.id, agents[a].login))) }
    }

    /// OpenACD: a call re-queued after failed delivery gets its priority bumped (floored at 0).
    mutating func requeueAfterFailedDelivery(_ slot: Int) {
        calls[slot]!.priority = max(0, calls[slot]!.priority - config.requeuePriorityBump)
        // A voicemail item is never given up: it goes back to wait for the next agent.
        if let limit = config.maxAttempts, calls[slot]!.attempts >= limit, calls[slot]!.media != .voicemail {
            giveUp(slot, reason: .maxAttempts)
        } else if calls[slot]!.timeoutPending {
            calls[slot]!.timeoutPending = false
            maxWaitReached(slot)
        } else {
            joinQueue(slot)
            pendingCalls.append(slot)
        }
    }

    /// The core ends a queued call itself (RemoveFromQueue, SendBYE).
    mutating func giveUp(_ slot: Int, reason: EndReason) {
        _ = calls[slot]!.machine.hangupCall()
        output.append(.hangUp(calls[slot]!.id, reason: reason))
        finish(slot, .failed, reason)
    }

    /// Seed 002 QueueTimeout / recipe `voicemail`: RemoveFromQueue, RouteToVoicemail.
    /// A voicemail item already is a message: it stays where it waits.
    mutating func sendToVoicemail(_ slot: Int) {
        guard calls[slot]!.media != .voicemail, calls[slot]!.machine.queueTimeout() == .removeFromQueueAndRouteToVoicemail else { return }
        output.append(.routeToVoicemail(calls[slot]!.id))
        finish(slot, .voicemail, .voicemail)
    }

    /// HangupCall while Active: SendBYE, ReleaseAgent (into wrap-up or straight on).
    mutating func endActiveCall(_ slot: Int, reason: EndReason) {
        guard case .sendByeAndReleaseAgents(let legs) = calls[slot]!.machine.hangupCall() else { return }
        let id = calls[slot]!.id
        output.append(.hangUp(id, reason: reason))
        for a in legs where agents[a].machine.state == .onCall(id) {
            agentCallEnded(a, call: id)
        }
        finish(slot, .answered, reason)
    }

    /// Emits the one `callFinished` and frees everything the call held.
    mutating func finish(_ slot: Int, _ disposition: Disposition, _ reason: EndReason) {
        leaveQueue(slot)
        disarmWaitingTimers(slot)
        let call = calls[slot]!
        for leg in call.legs { output.append(.cancelTimer(.ring(call.id, agents[leg.agent].login))) }
        output.append(
            .callFinished(
                CallRecord(
                    callID: call.id, queue: queues[call.queue].name,
                    originalQueue: queues[call.originalQueue].name,
                    agent: call.answeredBy.map { agents[$0].login }, caller: call.caller,
                    media: call.media, enqueuedAt: call.enqueuedAt, firstRingAt: call.firstRingAt,
                    answeredAt: call.answeredAt, endedAt: now, disposition: disposition,
                    attempts: call.attempts, endReason: reason)))
        calls[slot] = nil
        freeSlots.append(slot)
        slotByCallID[call.id] = nil
        index.releaseSlot(slot)
    }

    // MARK: Queue membership

    mutating func joinQueue(_ slot: Int) {
        guard calls[slot]!.memberIndex < 0 else { return }
        let q = calls[slot]!.queue
        calls[slot]!.memberIndex = queues[q].members.count
        queues[q].members.append(slot)
        waitingTotal += 1
        index.enqueueCall(
            slot: slot, class: calls[slot]!.requirement, queue: q, priority: calls[slot]!.priority,
            enqueuedAt: calls[slot]!.enqueuedAt, seq: calls[slot]!.seq)
    }

    mutating func leaveQueue(_ slot: Int) {
        let position = calls[slot]!.memberIndex
        guard position >= 0 else { return }
        let q = calls[slot]!.queue
        let last = queues[q].members.removeLast()
        if last != slot {
            queues[q].members[position] = last
            calls[last]!.memberIndex = position
        }
        calls[slot]!.memberIndex = -1
        waitingTotal -= 1
        index.dequeueCall(slot: slot)
    }

    /// Re-keys a waiting call after its priority, skills or queue changed.
    mutating func reposition(_ slot: Int) {
        guard calls[slot]!.memberIndex >= 0 else { return }
        leaveQueue(slot)
        joinQueue(slot)
    }

    /// Points the call at the requirement class for its current skills and target.
    mutating func refreshRequirement(_ slot: Int) {
        let target: Int32 = calls[slot]!.target.map { login in
            agentByLogin[login].map(Int32.init) ?? RequirementKey.unknownTarget
        } ?? RequirementKey.noTarget
        calls[slot]!.requirement = index.classIndex(
            for: RequirementKey(
                skills: calls[slot]!.skills, all: calls[slot]!.requiresAll, target: target))
    }
}
