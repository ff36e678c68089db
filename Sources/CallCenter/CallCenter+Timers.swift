/// Timers are actions (HOUSE_STYLE): the core remembers each armed deadline and ignores a fire
/// for a timer it no longer has armed, or that comes before its deadline.
extension CallCenter {
    mutating func timerFired(_ timer: TimerID) {
        switch timer {
        case .recipeTick(let id):
            guard let slot = slotByCallID[id], let due = calls[slot]!.tickDeadline, now >= due else { return }
            calls[slot]!.tickDeadline = nil
            let tick = calls[slot]!.nextTick
            calls[slot]!.nextTick += 1
            // Steps run only while the call waits; a ringing call's ticks still count.
            if calls[slot]!.machine.isQueued { runRecipe(slot, tick: tick) }
            if calls[slot] != nil, calls[slot]!.id == id { armNextTick(slot) }
        case .ring(let id, let login):
            guard let slot = slotByCallID[id], let a = agentByLogin[login],
                let leg = calls[slot]!.legs.first(where: { $0.agent == a }), now >= leg.deadline
            else { return }
            ringFailed(slot, agent: a, timedOut: true)
        case .wrapUp(let login):
            guard let a = agentByLogin[login], let due = agents[a].wrapUpDeadline, now >= due else { return }
            agents[a].wrapUpDeadline = nil
            let old = agents[a].machine.state
            _ = agents[a].machine.wrapUpTimeout()  // seed 002: ForceCompleteWrapUp
            agentMoved(a, from: old)
        case .queueTimeout(let id):
            guard let slot = slotByCallID[id], let due = calls[slot]!.timeoutDeadline, now >= due else { return }
            calls[slot]!.timeoutDeadline = nil
            if calls[slot]!.machine.isQueued {
                maxWaitReached(slot)
            } else {
                calls[slot]!.timeoutPending = true
            }
        case .retry(let id):
            guard let slot = slotByCallID[id], let due = calls[slot]!.retryDeadline, now >= due else { return }
            calls[slot]!.retryDeadline = nil
            if calls[slot]!.machine.isQueued { pendingCalls.append(slot) }
        case .aging(let id):
            guard let slot = slotByCallID[id], let due = calls[slot]!.agingDeadline, now >= due else { return }
            calls[slot]!.agingDeadline = nil
            if calls[slot]!.priority > 0 {
                calls[slot]!.priority -= 1
                reposition(slot)
            }
            if calls[slot]!.priority > 0, let step = queues[calls[slot]!.queue].config.agingStep {
                arm(slot, aging: due + step)
            }
        }
    }

    /// The queue's max wait passed while the call waits: voicemail, overflow or hang up.
    mutating func maxWaitReached(_ slot: Int) {
        switch queues[calls[slot]!.queue].config.onMaxWait {
        case .voicemail:
            sendToVoicemail(slot)
        case .hangup:
            giveUp(slot, reason: .maxWait)
        case .overflow(let name):
            moveToQueue(slot, queueByName[name]!)
        }
    }

    /// Ticks are counted from the call's own enqueue time (one ticker per call, seed 000).
    mutating func armNextTick(_ slot: Int) {
        guard calls[slot]!.tickDeadline == nil, !calls[slot]!.recipe.isEmpty else { return }
        let enqueuedAt = calls[slot]!.enqueuedAt
        // After a pause (ringing, an empty recipe), skip ticks already in the past.
        let elapsed = (now - enqueuedAt).nanoseconds
        let length = config.tickLength.nanoseconds
        let tick = max(calls[slot]!.nextTick, Int(elapsed / length) + 1)
        let due = enqueuedAt + config.tickLength * tick
        calls[slot]!.nextTick = tick
        calls[slot]!.tickDeadline = due
        output.append(.startTimer(.recipeTick(calls[slot]!.id), at: due))
    }

    /// Max wait counts from entering the current queue.
    mutating func armQueueTimers(_ slot: Int) {
        let id = calls[slot]!.id
        if calls[slot]!.timeoutDeadline != nil {
            calls[slot]!.timeoutDeadline = nil
            output.append(.cancelTimer(.queueTimeout(id)))
        }
        // A voicemail item has no maximum wait: the message waits until an agent takes it.
        if let wait = queues[calls[slot]!.queue].config.maxWait, calls[slot]!.media != .voicemail {
            let due = calls[slot]!.queueEnteredAt + wait
            calls[slot]!.timeoutDeadline = due
            output.append(.startTimer(.queueTimeout(id), at: due))
        }
    }

    mutating func arm(_ slot: Int, aging due: Duration) {
        calls[slot]!.agingDeadline = due
        output.append(.startTimer(.aging(calls[slot]!.id), at: due))
    }

    /// Arms (or pulls earlier) the retry for a call held back only by backoff.
    mutating func armRetry(_ slot: Int, at due: Duration) {
        if let current = calls[slot]!.retryDeadline, current <= due { return }
        calls[slot]!.retryDeadline = due
        output.append(.startTimer(.retry(calls[slot]!.id), at: due))
    }

    /// Cancels the timers that only matter while a call waits (answer, end).
    mutating func disarmWaitingTimers(_ slot: Int) {
        let id = calls[slot]!.id
        if calls[slot]!.tickDeadline != nil {
            calls[slot]!.tickDeadline = nil
            output.append(.cancelTimer(.recipeTick(id)))
        }
        if calls[slot]!.timeoutDeadline != nil {
            calls[slot]!.timeoutDeadline = nil
            output.append(.cancelTimer(.queueTimeout(id)))
        }
        if calls[slot]!.agingDeadline != nil {
            calls[slot]!.agingDeadline = nil
            output.append(.cancelTimer(.aging(id)))
        }
        if calls[slot]!.retryDeadline != nil {
            calls[slot]!.retryDeadline = nil
            output.append(.cancelTimer(.retry(id)))
        }
    }
}
