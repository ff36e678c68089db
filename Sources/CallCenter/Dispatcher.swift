// Dispatch: matching waiting calls with available agents.
//
// Data structures (all in `RoutingIndex`, AgentIndex.swift and WaitingCalls.swift):
//
// - Skills are interned to small integers (`SkillTable`); a skill set is a bitset of UInt64
//   words (`SkillSet`), so "agent covers call" is a few ANDs.
// - Agents with an identical skill signature form an `AgentGroup`. Agents' skills come from
//   config, so groups are fixed after init.
// - Calls with an identical requirement (skill bits, `_all`, `_agent` target) share a
//   `RequirementClass`. A class is created the first time a call needs it, with one pass over
//   the groups (O(groups x words)) that links it to every group able to serve it, both ways.
// - Each class keeps, per ordering a queue strategy needs (`AgentKeyKind`), a binary min-heap
//   of its available agents keyed by that strategy (idle since, skill count, rotation, calls,
//   talk time, random draw, order). Keys are fixed while an agent stays available, so heaps
//   stay valid; an agent leaving "available" just bumps its token and its entries go stale
//   (lazy deletion, compacted when stale entries outnumber live ones).
// - Each class keeps, per queue its calls wait in, a binary min-heap of calls keyed by
//   `(priority, enqueue time, arrival)`, also with lazy deletion by token.
// - Exact live counts per class (available, logged in) answer the recipe conditions
//   `available_agents` / `eligible_agents` in O(1).
//
// Costs (n = agents or calls in the heap, k = classes an agent's group can serve, usually a
// handful: one per distinct queue-skill combination the agent covers):
// - call arrives or re-queues: class lookup (hash of the bitset) + heap top: O(log n).
// - agent becomes available: update k class counts, then look at the k classes' waiting
//   heaps, choose a queue by weighted round robin over those with calls, take its best call:
//   O(k + queues + log n). If no call fits, push into k agent heaps: O(k log n).
// - agent stops being available: O(k) count updates; heap entries go stale.
// - backoff: a call skips agents it is backing off from (set aside and pushed back), so the
//   extra cost is O(log n) per agent that recently failed that call.
// - ring-all walks the whole heap of the class: O(n), inherent in ringing everyone.
//
// A class and the groups it links to stay for the life of the core. Workloads whose calls carry
// many distinct skill combinations pay O(groups) once per new combination and a larger k.
//
// Dispatch runs in `settle()` after each event: agents that became available look for a
// call first (so a freed agent takes the best waiting call, weighted across queues), then
// calls that entered or re-entered a queue look for an agent.
extension CallCenter {
    mutating func settle() {
        while !pendingAgents.isEmpty || !pendingCalls.isEmpty {
            if !pendingAgents.isEmpty {
                let agents = pendingAgents
                pendingAgents.removeAll(keepingCapacity: true)
                for a in agents where index.isAvailable(a) { dispatchAgent(a) }
                continue
            }
            let slots = pendingCalls
            pendingCalls.removeAll(keepingCapacity: true)
            for slot in slots where index.isWaiting(slot) { dispatchCall(slot) }
        }
    }

    /// A waiting call looks for the best available agent by its queue's strategy.
    mutating func dispatchCall(_ slot: Int) {
        let c = Int(calls[slot]!.requirement)
        let q = calls[slot]!.queue
        guard index.classes[c].available > 0 else { return }
        if queues[q].config.strategy == .ringAll {
            let (agents, blocked) = index.allAgents(class: c, forCall: slot, now: now)
            if !agents.isEmpty {
                deliver(slot, to: agents)
            } else if let blocked {
                armRetry(slot, at: blocked)
            }
            return
        }
        let (agent, blocked) = index.bestAgent(
            class: c, kind: queues[q].kind, forCall: slot, now: now)
        if let agent {
            deliver(slot, to: [agent])
        } else if let blocked {
            armRetry(slot, at: blocked)
        }
    }

    /// A newly available agent takes a waiting call it can serve, or joins the agent heaps.
    mutating func dispatchAgent(_ a: Int) {
        if let slot = findCall(for: a) {
            if queues[calls[slot]!.queue].config.strategy == .ringAll {
                // Ring everyone else who could take it too (usually nobody: they would have).
                var others = index.allAgents(
                    class: Int(calls[slot]!.requirement), forCall: slot, now: now).agents
                others.removeAll { $0 == a }
                deliver(slot, to: [a] + others)
            } else {
                deliver(slot, to: [a])
            }
            return
        }
        index.publish(a)
    }

    /// The call agent `a` should take now, or nil. Queues are weighed among those holding a
    /// call the agent can serve; within the chosen queue the best call by (priority, enqueue time).
    private mutating func findCall(for a: Int) -> Int? {
        let group = Int(index.agentGroup[a])
        var places: [(queue: Int, cls: Int, waiting: Int)] = []
        for c in index.groups[group].classes {
            let ci = Int(c)
            guard index.classes[ci].waitingCount > 0, index.classes[ci].accepts(Int32(a)) else { continue }
            for w in index.classes[ci].waiting.indices where index.classes[ci].waiting[w].live > 0 {
                places.append((Int(index.classes[ci].waiting[w].queue), ci, w))
            }
        }
        guard !places.isEmpty else { return nil }
        var candidates: [Int] = []
        for place in places where !candidates.contains(place.queue) { candidates.append(place.queue) }
        var blocked: [(slot: Int, until: Duration)] = []
        defer { for b in blocked { armRetry(b.slot, at: b.until) } }
        while !candidates.isEmpty {
            let q = selectQueue(candidates)
            var best: CallKey?
            for place in places where place.queue == q {
                if let key = index.bestCall(
                    class: place.cls, waiting: place.waiting, agent: a, now: now, blocked: &blocked),
                    best == nil || key < best!
                {
                    best = key
                }
            }
            if let best { return Int(best.slot) }
            candidates.removeAll { $0 == q }  // every call there is backing off from this agent
        }
        return nil
    }
}
