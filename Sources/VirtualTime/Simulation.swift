import CallCenter
import Workload

/// The mutable state of one virtual-time run: the core, the event queue, and what the driver
/// must remember about agents, calls and the core's timers. Per-call and per-agent data are
/// kept in parallel arrays of plain values so the hot loop allocates little.
struct Simulation {
    let scenario: VirtualScenario
    var core: CallCenter
    var events = EventQueue(capacity: 4096)
    /// Nanoseconds from the origin; only moves forward.
    var now: Int64 = 0
    let warmUpNs: Int64
    var eventsProcessed = 0

    // Agents, by index in scenario order (group by group).
    var agentLogins: [String] = []
    var agentGroup: [Int32] = []
    var agentByLogin: [String: Int32] = [:]
    /// Agents whose logout time came while ringing or on a call: they log out when it ends.
    var logoutPending: Set<Int> = []
    /// Bumped at every ring and every cancelled ring, so a stale answer or reject is skipped.
    var ringToken: [UInt32] = []
    var groupRNG: [SplitMix] = []
    var tracker: AgentStateTracker

    // Calls, by arrival order.
    var callIDs: [CallID] = []
    var callByID: [CallID: Int32] = [:]
    var callStream: [Int32] = []
    var callArrival: [Int64] = []
    var callFirstRing: [Int64] = []
    var callAnswer: [Int64] = []
    var callEnd: [Int64] = []
    var callOutcome: [VirtualCallOutcome?] = []
    var callAgent: [Int32] = []
    var callHold: [Int64] = []
    var liveCalls = 0

    // Customer streams.
    var arrivalRNG: [SplitMix] = []
    var customerRNG: [SplitMix] = []
    var streamArrived: [Int] = []
    var streamsActive = 0
    var lastArrival: Int64 = 0
    /// Calls the core moved to another queue (recipe new_queue, overflow): call -> final queue.
    var movedTo: [Int32: String] = [:]
    /// Arrivals are over plus `drainLimit`; calls up then are `.unfinished`.
    var horizon = Int64.max

    // The core's timers: TimerID -> slot; a slot's generation invalidates superseded heap entries.
    var timerSlotByID: [TimerID: Int32] = [:]
    var timerSlotIDs: [TimerID?] = []
    var timerGeneration: [UInt32] = []
    var freeTimerSlots: [Int32] = []

    // Time series: integrals over each report interval.
    var series: IntervalSeries

    init(scenario: VirtualScenario, core: CallCenter) {
        self.scenario = scenario
        self.core = core
        warmUpNs = nanoseconds(scenario.warmUp)
        let agentCount = scenario.agentGroups.reduce(0) { $0 + $1.logins.count }
        tracker = AgentStateTracker(agents: agentCount, warmUp: nanoseconds(scenario.warmUp))
        series = IntervalSeries(length: nanoseconds(scenario.reportInterval))
        for (g, group) in scenario.agentGroups.enumerated() {
            groupRNG.append(SplitMix(seed: scenario.seed, stream: UInt64(g), purpose: 1))
            for login in group.logins {
                agentByLogin[login] = Int32(agentLogins.count)
                agentLogins.append(login)
                agentGroup.append(Int32(g))
                ringToken.append(0)
            }
        }
        for s in scenario.customerStreams.indices {
            arrivalRNG.append(SplitMix(seed: scenario.seed, stream: UInt64(s), purpose: 2))
            customerRNG.append(SplitMix(seed: scenario.seed, stream: UInt64(s), purpose: 3))
            streamArrived.append(0)
        }
        let expected = scenario.customerStreams.reduce(0) { $0 + ($1.calls ?? 1024) }
        for array in [\Simulation.callArrival, \.callFirstRing, \.callAnswer, \.callEnd, \.callHold] {
            self[keyPath: array].reserveCapacity(expected)
        }
        callIDs.reserveCapacity(expected)
    }

    // MARK: The loop

    mutating func run() {
        scheduleAgents()
        for s in scenario.customerStreams.indices {
            streamsActive += 1
            scheduleNextArrival(stream: s, after: nil)
        }
        if streamsActive == 0 { horizon = nanoseconds(scenario.duration) }
        while let event = events.pop() {
            if event.time > horizon {
                advance(to: horizon)
                break
            }
            if streamsActive == 0, liveCalls == 0, event.time > nanoseconds(scenario.duration) { break }
            advance(to: event.time)
            eventsProcessed += 1
            dispatch(event)
        }
        finishRun()
    }

    mutating func advance(to t: Int64) {
        guard t > now else { return }
        series.integrate(from: now, to: t, waiting: core.waitingCallCount, states: tracker.counts)
        now = t
    }

    mutating func dispatch(_ event: SimulationEvent) {
        switch event.kind {
        case .arrival:
            arrive(stream: Int(event.a))
        case .agentAnswers, .agentRejects:
            let a = Int(event.a), c = Int(event.b)
            guard ringToken[a] == event.token, callOutcome[c] == nil else { return }
            let login = agentLogins[a]
            handle(event.kind == .agentAnswers
                ? .agentAnswered(callIDs[c], login) : .agentRejected(callIDs[c], login))
        case .customerHangsUp:
            let c = Int(event.b)
            guard callOutcome[c] == nil else { return }
            handle(.callerHungUp(callIDs[c]))
        case .agentHangsUp:
            let c = Int(event.b)
            guard callOutcome[c] == nil else { return }
            handle(.agentHungUp(callIDs[c]))
        case .patienceExpires:
            let c = Int(event.b)
            guard callOutcome[c] == nil, callAnswer[c] < 0 else { return }
            handle(.callerHungUp(callIDs[c]))
        case .login:
            handle(.agentLoggedIn(agentLogins[Int(event.a)]))
        case .logout:
            // Like the SIP agent: an agent at the end of its shift finishes the call in hand first.
            let a = Int(event.a)
            switch core.agentState(agentLogins[a]) {
            case .ringing?, .onCall?: logoutPending.insert(a)
            default: handle(.agentLoggedOut(agentLogins[a]))
            }
        case .breakStarts:
            let a = Int(event.a)
            let reason = scenario.agentGroups[Int(agentGroup[a])].breaks[Int(event.b)].reason
            handle(.agentReleased(agentLogins[a], ReleaseReason(id: reason, label: reason)))
        case .breakEnds:
            handle(.agentAvailable(agentLogins[Int(event.a)]))
        case .wrapUpDone:
            handle(.wrapUpDone(agentLogins[Int(event.a)]))
        case .timer:
            let slot = Int(event.a)
            guard timerGeneration[slot] == event.token, let id = timerSlotIDs[slot] else { return }
            releaseTimerSlot(slot, id: id)
            handle(.timerFired(id))
        }
    }

    mutating func handle(_ event: CallCenterEvent) {
        let actions = core.handle(event, now: .nanoseconds(now))
        for action in actions { carryOut(action) }
    }

    // MARK: Scheduling

    mutating func scheduleAgents() {
        var a: Int32 = 0
        for group in scenario.agentGroups {
            for _ in group.logins {
                events.push(at: nanoseconds(group.loginAt), .login, a: a)
                for (i, b) in group.breaks.enumerated() {
                    let start = group.loginAt + b.at
                    events.push(at: nanoseconds(start), .breakStarts, a: a, b: Int32(i))
                    if let d = b.duration { events.push(at: nanoseconds(start + d), .breakEnds, a: a) }
                }
                if let out = group.logoutAt { events.push(at: nanoseconds(out), .logout, a: a) }
                a += 1
            }
        }
    }

    /// Schedules the stream's next call, or retires the stream when it has no more.
    mutating func scheduleNextArrival(stream s: Int, after previous: Double?) {
        let stream = scenario.customerStreams[s]
        var next: Double?
        if let limit = stream.calls, streamArrived[s] >= limit {
            next = nil
        } else {
            let open = stream.calls == nil || scenario.endsAtDuration
            next = stream.arrivals.next(after: previous, &arrivalRNG[s], before: min(stream.stop ?? .infinity, open ? scenario.duration : .infinity))
        }
        if let t = next {
            events.push(at: nanoseconds(t), .arrival, a: Int32(s))
        } else {
            streamsActive -= 1
            if streamsActive == 0 {
                horizon = scenario.endsAtDuration ? nanoseconds(scenario.duration)
                    : max(lastArrival, nanoseconds(scenario.duration)) + nanoseconds(scenario.drainLimit)
            }
        }
    }

    mutating func arrive(stream s: Int) {
        let stream = scenario.customerStreams[s]
        let c = callIDs.count
        let id = "c" + String(c)
        callIDs.append(id)
        callByID[id] = Int32(c)
        callStream.append(Int32(s))
        callArrival.append(now)
        callFirstRing.append(-1)
        callAnswer.append(-1)
        callEnd.append(-1)
        callOutcome.append(nil)
        callAgent.append(-1)
        // Customer draws happen at arrival, in a fixed order, so a stream's calls are the same
        // whatever the staffing (common random numbers across the planner's runs).
        callHold.append(nanoseconds(stream.holdTime.sample(&customerRNG[s])))
        let patience = stream.patience.map { nanoseconds($0.sample(&customerRNG[s])) }
        liveCalls += 1
        streamArrived[s] += 1
        lastArrival = now
        if let patience { events.push(at: now + patience, .patienceExpires, b: Int32(c)) }
        handle(.callArrived(
            id, queue: stream.queue, caller: CallerInfo(id: id, client: stream.client),
            media: .voice, priority: stream.priority))
        scheduleNextArrival(stream: s, after: seconds(now))
    }

    /// Calls still up at the horizon are recorded as unfinished; agents' times are closed.
    mutating func finishRun() {
        let end = max(now, nanoseconds(scenario.duration))
        advance(to: end)
        for c in callOutcome.indices where callOutcome[c] == nil {
            if let q = core.callPlacement(callIDs[c])?.queue, q != scenario.customerStreams[Int(callStream[c])].queue { movedTo[Int32(c)] = q }
            callOutcome[c] = .unfinished
            callEnd[c] = end
        }
        liveCalls = 0
        tracker.close(at: end)
    }
}
