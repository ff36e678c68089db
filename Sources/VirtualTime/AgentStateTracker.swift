import CallCenter

/// Follows every agent's state from the core's `agentStateChanged` actions: how many agents are
/// in each state now, and how long each agent spent in each state after the warm-up.
struct AgentStateTracker {
    /// Columns, in this order: offline, available, ringing, on call, wrap-up, released.
    static let columns = 6
    static let busyColumns = [2, 3, 4]

    static func column(of state: AgentState) -> Int {
        switch state {
        case .offline: 0
        case .available: 1
        case .ringing: 2
        case .onCall: 3
        case .wrapUp: 4
        case .released: 5
        }
    }

    /// Agents per column now.
    private(set) var counts: [Int]
    private var state: [UInt8]
    private var since: [Int64]
    /// Nanoseconds per agent and column, counted from the warm-up on: `agent * columns + column`.
    private(set) var time: [Int64]
    let warmUp: Int64

    init(agents: Int, warmUp: Int64) {
        counts = Array(repeating: 0, count: Self.columns)
        counts[0] = agents
        state = Array(repeating: 0, count: agents)
        since = Array(repeating: 0, count: agents)
        time = Array(repeating: 0, count: agents * Self.columns)
        self.warmUp = warmUp
    }

    mutating func set(_ agent: Int, to column: Int, at now: Int64) {
        let old = Int(state[agent])
        guard old != column else { return }
        accrue(agent, until: now)
        counts[old] -= 1
        counts[column] += 1
        state[agent] = UInt8(column)
    }

    /// Adds the time since the last change (after the warm-up only) to the current column.
    private mutating func accrue(_ agent: Int, until now: Int64) {
        let from = max(since[agent], warmUp)
        if now > from { time[agent * Self.columns + Int(state[agent])] += now - from }
        since[agent] = now
    }

    mutating func close(at end: Int64) {
        for a in state.indices { accrue(a, until: end) }
    }

    func seconds(_ agent: Int, _ column: Int) -> Double {
        Double(time[agent * Self.columns + column]) / 1e9
    }
}

/// Time integrals per report interval: waiting calls and agents per state, so each interval
/// reports time averages rather than samples.
struct IntervalSeries {
    let length: Int64
    /// Integral of the number of waiting calls, in call-nanoseconds, per interval.
    private(set) var waitingArea: [Double] = []
    /// Most calls waiting at once, per interval.
    private(set) var waitingMax: [Int] = []
    /// Integral of agents per state, `interval * columns + column`.
    private(set) var stateArea: [Double] = []

    init(length: Int64) {
        self.length = length
    }

    var count: Int { waitingArea.count }

    /// The values held constant over `[from, to)`.
    mutating func integrate(from: Int64, to: Int64, waiting: Int, states: [Int]) {
        var t = from
        while t < to {
            let bucket = Int(t / length)
            grow(to: bucket)
            let end = min(to, Int64(bucket + 1) * length)
            let dt = Double(end - t)
            waitingArea[bucket] += Double(waiting) * dt
            if waiting > waitingMax[bucket] { waitingMax[bucket] = waiting }
            let base = bucket * AgentStateTracker.columns
            for c in 0..<AgentStateTracker.columns where states[c] != 0 {
                stateArea[base + c] += Double(states[c]) * dt
            }
            t = end
        }
    }

    private mutating func grow(to bucket: Int) {
        while waitingArea.count <= bucket {
            waitingArea.append(0)
            waitingMax.append(0)
            stateArea.append(contentsOf: repeatElement(0, count: AgentStateTracker.columns))
        }
    }
}
