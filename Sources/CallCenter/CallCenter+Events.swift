/// The single entry point: one event at `now` in, the driver's actions out.
extension CallCenter {
    public mutating func handle(_ event: CallCenterEvent, now: Duration) -> [CallCenterAction] {
        self.now = max(self.now, now)  // time never runs backwards inside the core
        output.reserveCapacity(8)
        switch event {
        case .agentLoggedIn(let id):
            if let a = agentByLogin[id] { agentLoggedIn(a) }
        case .agentLoggedOut(let id):
            if let a = agentByLogin[id] { agentLoggedOut(a) }
        case .agentReleased(let id, let reason):
            if let a = agentByLogin[id] { agentReleased(a, reason: reason) }
        case .agentAvailable(let id):
            if let a = agentByLogin[id] { agentAvailable(a) }
        case .wrapUpDone(let id):
            if let a = agentByLogin[id] { wrapUpDone(a) }
        case .agentResumedWrapUp(let id, let until):
            if let a = agentByLogin[id] { agentResumedWrapUp(a, until: until) }
        case .callArrived(let id, let queue, let caller, let media, let priority):
            callArrived(id, queue: queue, caller: caller, media: media, priority: priority, skills: [])
        case .callArrivedWithSkills(let id, let queue, let caller, let media, let priority, let skills):
            callArrived(id, queue: queue, caller: caller, media: media, priority: priority, skills: skills)
        case .agentAnswered(let call, let agent):
            if let slot = slotByCallID[call], let a = agentByLogin[agent] { agentAnswered(slot, agent: a) }
        case .agentRejected(let call, let agent):
            if let slot = slotByCallID[call], let a = agentByLogin[agent] {
                ringFailed(slot, agent: a, timedOut: false)
            }
        case .callerHungUp(let call):
            if let slot = slotByCallID[call] { callerHungUp(slot) }
        case .agentHungUp(let call):
            if let slot = slotByCallID[call], calls[slot]!.machine.activeAgent != nil {
                endActiveCall(slot, reason: .agentHangUp)
            }
        case .callFailed(let call, let reason):
            if let slot = slotByCallID[call] { callFailed(slot, reason: reason) }
        case .messagePlayed(let call):
            if let slot = slotByCallID[call], calls[slot]!.machine.activeAgent != nil {
                endActiveCall(slot, reason: .messagePlayed)
            }
        case .timerFired(let timer):
            timerFired(timer)
        }
        settle()
        var actions: [CallCenterAction] = []
        swap(&actions, &output)
        return actions
    }

    mutating func callArrived(
        _ id: CallID, queue name: String, caller: CallerInfo, media: MediaType, priority: Int,
        skills: [Skill]
    ) {
        guard slotByCallID[id] == nil else {
            // The id is taken by a live call: refuse without a record (the live call keeps its own).
            output.append(.rejectCall(id, reason: "duplicate call id '\(id)'"))
            return
        }
        guard let q = queueByName[name] else {
            reject(id, queue: name, caller: caller, media: media,
                   reason: "unknown queue '\(name)'", endReason: .unknownQueue)
            return
        }
        if let limit = queues[q].config.maxLength, queues[q].members.count >= limit {
            reject(id, queue: name, caller: caller, media: media,
                   reason: "queue '\(name)' is full (\(limit) calls waiting)", endReason: .queueFull)
            return
        }
        guard
            let fromQueue = queues[q].skillsNeedClient
                ? skillTable.expandForCall(
                    queues[q].config.skills, node: config.node, queue: name, client: caller.client)
                : queues[q].skills,
            let own = skills.isEmpty
                ? CallSkillChange()
                : skillTable.expandForCall(skills, node: config.node, queue: name, client: caller.client)
        else {
            reject(id, queue: name, caller: caller, media: media,
                   reason: "call requires an unknown magic skill", endReason: .invalidSkill)
            return
        }
        var required = fromQueue.skills
        required.formUnion(own.skills)
        if config.callsRequireNode { required.insert(nodeSkill) }
        nextSeq += 1
        let call = LiveCall(
            id: id, queue: q, originalQueue: q, caller: caller, media: media, priority: priority,
            enqueuedAt: now, queueEnteredAt: now, seq: nextSeq, skills: required,
            target: own.target ?? fromQueue.target, requiresAll: own.all || fromQueue.all,
            fromQueue: fromQueue, recipe: queues[q].recipe)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            calls[slot] = call
        } else {
            slot = calls.count
            calls.append(call)
        }
        slotByCallID[id] = slot
        refreshRequirement(slot)
        joinQueue(slot)
        armQueueTimers(slot)
        armNextTick(slot)
        if let step = queues[q].config.agingStep { arm(slot, aging: now + step) }
        pendingCalls.append(slot)
    }

    private mutating func reject(
        _ id: CallID, queue: String, caller: CallerInfo, media: MediaType, reason: String,
        endReason: EndReason
    ) {
        output.append(.rejectCall(id, reason: reason))
        output.append(
            .callFinished(
                CallRecord(
                    callID: id, queue: queue, originalQueue: queue, agent: nil, caller: caller,
                    media: media, enqueuedAt: now, firstRingAt: nil, answeredAt: nil, endedAt: now,
                    disposition: .rejected, attempts: 0, endReason: endReason)))
    }

    mutating func callerHungUp(_ slot: Int) {
        end(slot, unanswered: .abandoned, reason: .callerHangUp)
    }

    mutating func callFailed(_ slot: Int, reason: EndReason) {
        end(slot, unanswered: .failed, reason: reason)
    }

    /// Ends a call at any stage: an unanswered one with `disposition`, an answered one as answered.
    private mutating func end(_ slot: Int, unanswered disposition: Disposition, reason: EndReason) {
        let call = calls[slot]!
        switch call.machine.state {
        case .queued:
            _ = calls[slot]!.machine.hangupCall()
            output.append(.hangUp(call.id, reason: reason))
            finish(slot, disposition, reason)
        case .agentRinging(let legs):
            _ = calls[slot]!.machine.hangupCall()
            for a in legs {
                withdrawLeg(slot, agent: a)
            }
            output.append(.hangUp(call.id, reason: reason))
            finish(slot, disposition, reason)
        case .active:
            endActiveCall(slot, reason: reason)
        case .terminating:
            break
        }
    }
}
