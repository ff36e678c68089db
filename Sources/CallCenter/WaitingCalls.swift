/// The backoff one call keeps against one agent after a failed ring.
struct Backoff: Sendable, Equatable {
    var agent: Int32
    var failures: Int
    var until: Duration
}

/// The waiting-call side of `RoutingIndex`: per requirement class, one heap per queue keyed by
/// `(priority, enqueue time, arrival)`, with lazy deletion by token.
extension RoutingIndex {
    private mutating func ensureSlot(_ slot: Int) {
        while callToken.count <= slot {
            callToken.append(0)
            callClass.append(-1)
            callWaiting.append(-1)
            backoff.append([])
        }
    }

    func isWaiting(_ slot: Int) -> Bool { slot < callToken.count && callToken[slot] != 0 }

    /// Puts a call in line (or back in line with a new key): O(log n).
    mutating func enqueueCall(
        slot: Int, class c: Int32, queue: Int, priority: Int, enqueuedAt: Duration, seq: UInt64
    ) {
        ensureSlot(slot)
        dequeueCall(slot: slot)
        let token = nextToken
        nextToken += 1
        let ci = Int(c)
        let w: Int
        if let existing = classes[ci].waiting.firstIndex(where: { $0.queue == Int32(queue) }) {
            w = existing
        } else {
            w = classes[ci].waiting.count
            classes[ci].waiting.append(QueueWaiting(queue: Int32(queue)))
        }
        callToken[slot] = token
        callClass[slot] = c
        callWaiting[slot] = Int32(w)
        classes[ci].waiting[w].heap.insert(
            CallKey(
                priority: priority, enqueuedAt: enqueuedAt.nanoseconds, seq: seq, slot: Int32(slot),
                token: token))
        classes[ci].waiting[w].live += 1
        classes[ci].waitingCount += 1
        let tokens = callToken
        if classes[ci].waiting[w].heap.count > 2 * classes[ci].waiting[w].live + 32 {
            classes[ci].waiting[w].heap.filter { tokens[Int($0.slot)] == $0.token }
        }
    }

    /// Takes a call out of line (ringing, moved, ended); its heap entry goes stale. O(1).
    mutating func dequeueCall(slot: Int) {
        guard slot < callToken.count, callToken[slot] != 0 else { return }
        let c = Int(callClass[slot])
        let w = Int(callWaiting[slot])
        callToken[slot] = 0
        classes[c].waiting[w].live -= 1
        classes[c].waitingCount -= 1
    }

    /// Forgets everything about a finished call's slot.
    mutating func releaseSlot(_ slot: Int) {
        dequeueCall(slot: slot)
        guard slot < backoff.count else { return }
        backoff[slot] = []
    }

    /// The first call of class `c` waiting in `classes[c].waiting[w]` that `agent` may take.
    /// Calls backing off from this agent are skipped and reported in `blocked` so the caller can
    /// arm their retries. O(log n) plus O(log n) per skipped call.
    mutating func bestCall(
        class c: Int, waiting w: Int, agent: Int, now: Duration,
        blocked: inout [(slot: Int, until: Duration)]
    ) -> CallKey? {
        var aside: [CallKey] = []
        var found: CallKey?
        while let top = classes[c].waiting[w].heap.min {
            guard callToken[Int(top.slot)] == top.token else {
                classes[c].waiting[w].heap.popMin()
                continue
            }
            if let until = backoffUntil(slot: Int(top.slot), agent: agent, now: now) {
                blocked.append((Int(top.slot), until))
                aside.append(classes[c].waiting[w].heap.popMin()!)
                continue
            }
            found = top
            break
        }
        for key in aside { classes[c].waiting[w].heap.insert(key) }
        return found
    }

    /// When the call may ring `agent` again, if it is still backing off from it.
    func backoffUntil(slot: Int, agent: Int, now: Duration) -> Duration? {
        guard slot < backoff.count else { return nil }
        for entry in backoff[slot] where entry.agent == Int32(agent) {
            return entry.until > now ? entry.until : nil
        }
        return nil
    }

    /// Exponential backoff: base, 2 x base, 4 x base, ... for each failure of this agent on
    /// this call (capped at 2^20 x base).
    mutating func recordFailure(slot: Int, agent: Int, now: Duration, base: Duration) {
        ensureSlot(slot)
        if let i = backoff[slot].firstIndex(where: { $0.agent == Int32(agent) }) {
            backoff[slot][i].failures += 1
            let shift = min(backoff[slot][i].failures - 1, 20)
            backoff[slot][i].until = now + base * (1 << shift)
        } else {
            backoff[slot].append(Backoff(agent: Int32(agent), failures: 1, until: now + base))
        }
    }
}
