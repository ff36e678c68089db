/// Delivery recipes (seed 000, REFERENCE §1): on each of a waiting call's ticks, every step whose
/// conditions all hold runs its operations in order; `run_once` steps are then removed.
extension CallCenter {
    enum OperationOutcome {
        case next
        /// `new_queue`: the call now follows the new queue's recipe, from the next tick.
        case recipeReplaced
        /// `voicemail`: the call is gone.
        case callLeft
    }

    mutating func runRecipe(_ slot: Int, tick: Int) {
        var i = 0
        while i < calls[slot]!.recipe.count {
            let step = calls[slot]!.recipe[i]
            guard step.conditions.allSatisfy({ holds($0, slot: slot, tick: tick) }) else {
                i += 1
                continue
            }
            if step.runMode == .runOnce {
                calls[slot]!.recipe.remove(at: i)
            } else {
                i += 1
            }
            var replaced = false
            for operation in step.operations {
                switch apply(operation, slot: slot) {
                case .next: continue
                case .recipeReplaced: replaced = true
                case .callLeft: return
                }
            }
            if replaced { return }
        }
    }

    /// Reads only the fields a condition needs (a copy of the whole call per condition was most
    /// of a cheap tick's cost: ccbench ticks).
    func holds(_ condition: RecipeCondition, slot: Int, tick: Int) -> Bool {
        switch condition {
        case .ticks(let n):
            return tick % n == 0
        case .availableAgents(let comparison, let n):
            return comparison.holds(index.classes[Int(calls[slot]!.requirement)].available, n)
        case .eligibleAgents(let comparison, let n):
            return comparison.holds(index.classes[Int(calls[slot]!.requirement)].loggedIn, n)
        case .callsQueued(let comparison, let n):
            return comparison.holds(queues[calls[slot]!.queue].members.count, n)
        case .queuePosition(let comparison, let n):
            return comparison.holds(queuePosition(slot), n)
        case .client(let equals, let name):
            return (calls[slot]!.caller.client == name) == equals
        case .hour(let comparison, let n):
            return comparison.holds(clock.hour(at: now), n)
        case .weekday(let comparison, let n):
            return comparison.holds(clock.weekday(at: now), n)
        case .mediaType(let media):
            return calls[slot]!.media == media
        case .callerID(let pattern):
            return pattern.matches(calls[slot]!.caller.id)
        case .callerName(let pattern):
            return pattern.matches(calls[slot]!.caller.name)
        }
    }

    /// 1-based place in the queue's service order. O(calls in the queue): recipes are the only
    /// user, once per tick.
    func queuePosition(_ slot: Int) -> Int {
        let me = calls[slot]!
        var ahead = 0
        for other in queues[me.queue].members where other != slot {
            let o = calls[other]!
            if (o.priority, o.enqueuedAt, o.seq) < (me.priority, me.enqueuedAt, me.seq) { ahead += 1 }
        }
        return ahead + 1
    }

    mutating func apply(_ operation: RecipeOperation, slot: Int) -> OperationOutcome {
        switch operation {
        case .newQueue(let name):
            let q = queueByName[name]!  // validated at init
            guard q != calls[slot]!.queue else { return .next }
            moveToQueue(slot, q)
            return .recipeReplaced
        case .addSkills(let skills):
            let call = calls[slot]!
            guard
                let change = skillTable.expandForCall(
                    skills, node: config.node, queue: queues[call.queue].name, client: call.caller.client)
            else { return .next }
            calls[slot]!.skills.formUnion(change.skills)
            if let target = change.target { calls[slot]!.target = target }
            if change.all { calls[slot]!.requiresAll = true }
            requirementChanged(slot)
        case .removeSkills(let skills):
            let call = calls[slot]!
            guard
                let change = skillTable.expandForCall(
                    skills, node: config.node, queue: queues[call.queue].name, client: call.caller.client)
            else { return .next }
            calls[slot]!.skills.subtract(change.skills)
            if change.mentionsAgent, change.target == nil || change.target == call.target {
                calls[slot]!.target = nil
            }
            if change.all { calls[slot]!.requiresAll = false }
            requirementChanged(slot)
        case .setPriority(let n):
            // Unchanged priority: the call keeps its place (no leave and re-join on every tick).
            guard calls[slot]!.priority != n else { break }
            calls[slot]!.priority = n
            reposition(slot)
        case .prioritize:
            calls[slot]!.priority = max(0, calls[slot]!.priority - 1)
            reposition(slot)
        case .deprioritize:
            calls[slot]!.priority += 1
            reposition(slot)
        case .voicemail:
            guard calls[slot]!.media != .voicemail else { break }  // a message stays where it waits
            sendToVoicemail(slot)
            return .callLeft
        case .announce(let prompt):
            output.append(.announce(calls[slot]!.id, prompt: prompt))
        case .addRecipe(let step):
            calls[slot]!.recipe.append(step)
        }
        return .next
    }

    /// New skills may open the call to agents who could not take it before.
    private mutating func requirementChanged(_ slot: Int) {
        let before = calls[slot]!.requirement
        refreshRequirement(slot)
        guard calls[slot]!.requirement != before else { return }
        reposition(slot)
        pendingCalls.append(slot)
    }

    /// `new_queue` and overflow: the call keeps its enqueue time (its place by wait), trades the
    /// old queue's skills for the new queue's, and takes the new queue's recipe.
    mutating func moveToQueue(_ slot: Int, _ q: Int) {
        leaveQueue(slot)
        let call = calls[slot]!
        let change = skillTable.expandForCall(
            queues[q].config.skills, node: config.node, queue: queues[q].name, client: call.caller.client)
            ?? CallSkillChange()
        calls[slot]!.skills.subtract(call.fromQueue.skills)
        if let old = call.fromQueue.target, call.target == old { calls[slot]!.target = nil }
        if call.fromQueue.all { calls[slot]!.requiresAll = false }
        calls[slot]!.skills.formUnion(change.skills)
        if let target = change.target { calls[slot]!.target = target }
        if change.all { calls[slot]!.requiresAll = true }
        calls[slot]!.fromQueue = change
        calls[slot]!.queue = q
        calls[slot]!.queueEnteredAt = now
        calls[slot]!.recipe = queues[q].recipe
        refreshRequirement(slot)
        joinQueue(slot)
        armQueueTimers(slot)
        armNextTick(slot)
        if calls[slot]!.agingDeadline != nil {
            calls[slot]!.agingDeadline = nil
            output.append(.cancelTimer(.aging(call.id)))
        }
        if let step = queues[q].config.agingStep { arm(slot, aging: now + step) }
        pendingCalls.append(slot)
    }
}
