import CallCenter
import Workload

/// The core's actions carried out in virtual time, as the SIP driver carries them out for real.
extension Simulation {
    mutating func carryOut(_ action: CallCenterAction) {
        switch action {
        case .ringAgent(let call, let login):
            guard let c = callByID[call], let a = agentByLogin[login] else { return }
            ring(call: c, agent: Int(a))
        case .cancelRing(_, let login):
            // The leg is gone (timeout, caller gone, ring-all loser): a pending answer is stale.
            if let a = agentByLogin[login] { ringToken[Int(a)] &+= 1 }
        case .bridge(let call, let login):
            guard let c = callByID[call], let a = agentByLogin[login] else { return }
            callAnswer[Int(c)] = now
            ringToken[Int(a)] &+= 1
            if let talk = scenario.agentGroups[Int(agentGroup[Int(a)])].talkTime {
                let d = nanoseconds(talk.sample(&groupRNG[Int(agentGroup[Int(a)])]))
                events.push(at: now + d, .agentHangsUp, b: c)
            } else {
                events.push(at: now + callHold[Int(c)], .customerHangsUp, b: c)
            }
        case .hangUp, .routeToVoicemail, .rejectCall, .startRecording, .announce:
            // The customer's side ends with the `callFinished` that follows (or was refused as a
            // duplicate id, which this runner never produces); nothing else to play out.
            break
        case .startTimer(let id, let at):
            startTimer(id, at: nanoseconds(at))
        case .cancelTimer(let id):
            if let slot = timerSlotByID[id] { releaseTimerSlot(Int(slot), id: id) }
        case .agentStateChanged(let login, let state):
            if let a = agentByLogin[login] {
                tracker.set(Int(a), to: AgentStateTracker.column(of: state), at: now)
                switch state {
                case .ringing, .onCall: break
                default: if logoutPending.remove(Int(a)) != nil { events.push(at: now, .logout, a: a) }
                }
                let g = Int(agentGroup[Int(a)])
                if case .wrapUp = state, let work = scenario.agentGroups[g].wrapUp {
                    events.push(at: now + nanoseconds(work.sample(&groupRNG[g])), .wrapUpDone, a: a)
                }
            }
        case .callFinished(let record):
            finish(record)
        }
    }

    /// The agent's phone rings: refuse at once, let it ring, or answer after the answer delay
    /// (the same draws, in the same order, as the SIP simulator's `VirtualAgent`).
    mutating func ring(call c: Int32, agent a: Int) {
        let g = Int(agentGroup[a])
        let group = scenario.agentGroups[g]
        ringToken[a] &+= 1
        let token = ringToken[a]
        if group.rejectProbability > 0, groupRNG[g].unit() < group.rejectProbability {
            events.push(at: now, .agentRejects, a: Int32(a), b: c, token: token)
            return
        }
        if group.noAnswerProbability > 0, groupRNG[g].unit() < group.noAnswerProbability {
            return  // the core's ring timer ends it
        }
        let delay = nanoseconds(group.answerDelay.sample(&groupRNG[g]))
        events.push(at: now + delay, .agentAnswers, a: Int32(a), b: c, token: token)
    }

    mutating func finish(_ record: CallRecord) {
        guard let c32 = callByID.removeValue(forKey: record.callID) else { return }
        let c = Int(c32)
        callOutcome[c] = VirtualCallOutcome(record.disposition)
        callEnd[c] = now
        callFirstRing[c] = record.firstRingAt.map(nanoseconds) ?? -1
        callAnswer[c] = record.answeredAt.map(nanoseconds) ?? -1
        callAgent[c] = record.agent.flatMap { agentByLogin[$0] } ?? -1
        if record.queue != record.originalQueue { movedTo[c32] = record.queue }
        liveCalls -= 1
    }

    // MARK: The core's timers

    /// Arms (or re-arms: a start for a running id replaces it, TimerID's contract) a timer.
    mutating func startTimer(_ id: TimerID, at deadline: Int64) {
        let slot: Int
        if let existing = timerSlotByID[id] {
            slot = Int(existing)
        } else if let free = freeTimerSlots.popLast() {
            slot = Int(free)
            timerSlotIDs[slot] = id
            timerSlotByID[id] = free
        } else {
            slot = timerSlotIDs.count
            timerSlotIDs.append(id)
            timerGeneration.append(0)
            timerSlotByID[id] = Int32(slot)
        }
        timerGeneration[slot] &+= 1
        // The core ignores a fire before the deadline, so never fire earlier than now.
        events.push(at: max(deadline, now), .timer, a: Int32(slot), token: timerGeneration[slot])
    }

    /// Disarms: the slot's heap entries go stale (generation bump) and the slot is reused.
    mutating func releaseTimerSlot(_ slot: Int, id: TimerID) {
        timerGeneration[slot] &+= 1
        timerSlotIDs[slot] = nil
        timerSlotByID[id] = nil
        freeTimerSlots.append(Int32(slot))
    }
}
