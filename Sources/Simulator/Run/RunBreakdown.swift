import Foundation

/// The run's figures per queue and per agent group, and the calls the engine moved between
/// queues. One definition in real and virtual runs, from ccsim's observations of the counted
/// calls (warm-up excluded):
/// - per queue: by the queue the customer called (a call moved by a recipe or overflow stays in
///   its first queue's figures; the move is counted in `moves`);
/// - per group: the calls the group's agents answered; occupancy is time on calls (answer to
///   hang-up, calls still up at the end included) over the group's logged-in time (login_at to
///   logout_at or the duration, breaks included), both after the warm-up, so ringing and
///   wrap-up are not in it.
public struct RunBreakdown: Sendable, Codable, Equatable {
    public struct GroupFigures: Sendable, Codable, Equatable {
        public var agents: Int
        public var answered: Int
        /// Mean wait of the calls this group answered, seconds.
        public var asa: Double
        public var maxWait: Double
        /// Time on calls / logged-in time.
        public var occupancy: Double
    }

    public struct Move: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var calls: Int
        public var answered: Int
        public var abandoned: Int
        public var unfinished: Int
    }

    public var queues: [String: RunSummary]
    public var groups: [String: GroupFigures]
    public var moves: [Move]
    /// Whether the final queue of each call is known (virtual time, or the engine's records).
    public var movesKnown: Bool

    public init(_ result: SimulationRun.Result) {
        let calls = result.countedCalls
        queues = Dictionary(grouping: calls, by: \.queue).mapValues(RunSummary.init)
        for s in result.scenario.customerStreams where queues[s.queue] == nil { queues[s.queue] = RunSummary([]) }
        movesKnown = result.virtualTime || result.records != nil
        var byPair: [String: Move] = [:]
        for c in calls {
            guard let to = c.finalQueue, to != c.queue else { continue }
            var m = byPair["\(c.queue)\u{0}\(to)"] ?? Move(from: c.queue, to: to, calls: 0, answered: 0, abandoned: 0, unfinished: 0)
            m.calls += 1
            switch c.outcome {
            case .answered: m.answered += 1
            case .abandoned: m.abandoned += 1
            case .unfinished: m.unfinished += 1
            case .failed: break
            }
            byPair["\(c.queue)\u{0}\(to)"] = m
        }
        moves = byPair.values.sorted { ($0.from, $0.to) < ($1.from, $1.to) }
        groups = [:]
        let duration = result.scenario.maxDuration, warmUp = result.scenario.warmUp
        for g in result.scenario.agentGroups {
            let logins = Set(g.logins)
            let answered = calls.filter { $0.outcome == .answered && $0.agent.map(logins.contains) == true }
            let waits = answered.compactMap(\.wait)
            // Occupancy over the window after the warm-up while the group is logged in: every
            // call its agents took (warm-up and still-talking ones included), clipped to it.
            let from = max(g.loginAt, warmUp), to = min(g.logoutAt ?? duration, duration)
            let onCalls = result.calls.filter { $0.answeredAt != nil && $0.agent.map(logins.contains) == true }.reduce(0.0) { t, c in
                t + max(0, min(c.endedAt ?? to, to) - max(c.answeredAt ?? to, from))
            }
            let loggedIn = max(0, to - from) * Double(g.logins.count)
            groups[g.name] = GroupFigures(
                agents: g.logins.count, answered: answered.count,
                asa: waits.isEmpty ? 0 : waits.reduce(0, +) / Double(waits.count), maxWait: waits.max() ?? 0,
                occupancy: loggedIn > 0 ? onCalls / loggedIn : 0)
        }
    }

    /// Console lines (none when there is one queue, one group and no move).
    public var text: String {
        guard queues.count > 1 || groups.count > 1 || !moves.isEmpty else { return "" }
        var out = "  per queue (by the queue called):\n"
        for (name, s) in queues.sorted(by: { $0.key < $1.key }) {
            out += "    \(name): \(s.offered) offered, \(s.answered) answered, \(s.abandoned) abandoned, \(s.failed + s.unfinished) failed/unfinished; "
                + "ASA \(fmt(s.asa)) s, max wait \(fmt(s.maxWait)) s, SL(20 s) \(fmt(s.serviceLevel20s)), abandonment \(fmt(s.abandonRate))\n"
        }
        if !moves.isEmpty {
            out += "  moved between queues (recipe new_queue, overflow): " + moves.map {
                "\($0.from) -> \($0.to) \($0.calls) (\($0.answered) answered, \($0.abandoned) abandoned\($0.unfinished > 0 ? ", \($0.unfinished) unfinished" : ""))"
            }.joined(separator: "; ") + "\n"
        } else if !movesKnown {
            out += "  moves between queues: unknown without the engine's records (--records)\n"
        }
        if groups.count > 1 {
            out += "  per agent group:\n"
            for (name, g) in groups.sorted(by: { $0.key < $1.key }) {
                out += "    \(name) (\(g.agents) agents): \(g.answered) answered, ASA \(fmt(g.asa)) s, occupancy \(fmt(g.occupancy)) (time on calls / logged-in time)\n"
            }
        }
        return out
    }
}
