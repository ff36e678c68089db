import Testing
@testable import CallCenter

/// Random event sequences against invariants, with the tests' own seeded generator.
@Suite struct PropertyTests {
    struct Run {
        var events: [(CallCenterEvent, Duration)] = []
        var actions: [[CallCenterAction]] = []
        var violations: [String] = []
    }

    static func randomConfig(_ rng: inout TestRandom) -> CallCenterConfig {
        let skills = ["a", "b", "c", "d"]
        func pick(_ n: Int) -> [Skill] {
            (0..<n).map { _ in Skill(skills[Int(rng.next() % 4)]) }
        }
        let strategies = RoutingStrategy.allCases
        var queues: [QueueConfig] = []
        for q in 0..<3 {
            var queue = QueueConfig(
                name: "q\(q)", weight: 1 + Int(rng.next() % 3), skills: pick(Int(rng.next() % 2)),
                strategy: strategies[Int(rng.next() % UInt64(strategies.count))])
            if rng.next() % 3 == 0 { queue.maxWait = .seconds(40) }
            if rng.next() % 4 == 0 { queue.onMaxWait = .overflow("q\((q + 1) % 3)") }
            if rng.next() % 5 == 0 { queue.maxLength = 4 }
            if rng.next() % 4 == 0 { queue.agingStep = .seconds(15) }
            queue.recipe = [
                RecipeStep(conditions: [.ticks(2)], operations: [.addSkills(pick(1))], runMode: .runOnce),
                RecipeStep(
                    conditions: [.availableAgents(.equal, 0)], operations: [.removeSkills(skills.map { Skill($0) })],
                    runMode: .runMany),
                RecipeStep(conditions: [.ticks(5)], operations: [.newQueue("q\((q + 2) % 3)")], runMode: .runOnce),
            ]
            queues.append(queue)
        }
        var agents: [AgentConfig] = []
        for i in 0..<6 {
            var s = pick(1 + Int(rng.next() % 3))
            if rng.next() % 10 == 0 { s.append("_all") }
            agents.append(AgentConfig(login: "ag\(i)", skills: s, order: Int(rng.next() % 5),
                                      node: rng.next() % 6 == 0 ? "node2" : nil))
        }
        var config = CallCenterConfig(queues: queues, agents: agents)
        config.tickLength = .seconds(5)
        config.ringTimeout = .seconds(20)
        config.wrapUpTime = rng.next() % 2 == 0 ? .zero : .seconds(10)
        config.maxAttempts = rng.next() % 2 == 0 ? nil : 4
        config.defaultRecipe = CallCenterConfig.standardDefaultRecipe(ticks: 3)
        config.dispatch = rng.next() % 2 == 0 ? .smoothWeightedRoundRobin : .biasedRandom
        config.seed = rng.next()
        return config
    }

    /// Drives the core with random events; checks invariants after each step.
    static func explore(seed: UInt64, steps: Int) throws -> (Run, CallCenterConfig) {
        var rng = TestRandom(seed: seed)
        let config = randomConfig(&rng)
        var center = try CallCenter(config: config)
        var run = Run()
        var now = Duration.zero
        var timers: [TimerID: Duration] = [:]
        var agentStates: [String: AgentState] = Dictionary(
            uniqueKeysWithValues: config.agents.map { ($0.login, .offline) })
        var arrived: [String] = []
        var finished: [String: Int] = [:]
        var nextCall = 0
        let logins = config.agents.map(\.login)

        func apply(_ event: CallCenterEvent) {
            let out = center.handle(event, now: now)
            run.events.append((event, now))
            run.actions.append(out)
            for action in out {
                switch action {
                case .startTimer(let id, let at): timers[id] = at
                case .cancelTimer(let id): timers[id] = nil
                case .agentStateChanged(let a, let state):
                    if case .ringing = state, agentStates[a] != .available {
                        run.violations.append("\(a) rung while \(String(describing: agentStates[a]))")
                    }
                    agentStates[a] = state
                case .ringAgent(let c, let a):
                    if agentStates[a] != .ringing(c) { run.violations.append("ring \(c)->\(a) without state") }
                    let required = Set(center.requiredSkills(ofCall: c) ?? [])
                    let held = Set(center.effectiveSkills(ofAgent: a) ?? [])
                    let targetOK = required.filter { $0.name.hasPrefix("_agent:") }.isSubset(of: held)
                    let covered = required.contains("_all") || held.contains("_all")
                        || required.isSubset(of: held)
                    if !(covered && targetOK) {
                        run.violations.append("\(c) needs \(required) but \(a) has \(held)")
                    }
                case .callFinished(let record):
                    finished[record.callID, default: 0] += 1
                default: break
                }
            }
            for login in logins where center.agentState(login) != agentStates[login] {
                run.violations.append("\(login) state mismatch")
            }
            var holders: [CallID: Int] = [:]
            for case .onCall(let c)? in agentStates.values.map(Optional.some) { holders[c, default: 0] += 1 }
            if holders.values.contains(where: { $0 > 1 }) { run.violations.append("call held twice") }
        }

        for _ in 0..<steps {
            now += .milliseconds(Int64(rng.next() % 4000))
            let login = logins[Int(rng.next() % UInt64(logins.count))]
            let live = arrived.filter { finished[$0] == nil }
            switch rng.next() % 14 {
            case 0: apply(.agentLoggedIn(login))
            case 1: if rng.next() % 4 == 0 { apply(.agentLoggedOut(login)) }
            case 2: apply(.agentReleased(login, .default))
            case 3: apply(.agentAvailable(login))
            case 4: apply(.wrapUpDone(login))
            case 5, 6:
                nextCall += 1
                let id = "call\(nextCall)"
                arrived.append(id)
                let queue = "q\(rng.next() % 4)"  // q3 does not exist: rejected
                apply(.callArrived(id, queue: queue, caller: CallerInfo(id: "100\(nextCall)"), media: .voice,
                                   priority: Int(rng.next() % 6)))
            case 7, 8:
                let ringing = agentStates.compactMap { a, s -> (String, String)? in
                    if case .ringing(let c) = s { return (c, a) } else { return nil }
                }.sorted { $0.1 < $1.1 }
                if let (c, a) = ringing.first { apply(.agentAnswered(c, a)) }
            case 9:
                let ringing = agentStates.compactMap { a, s -> (String, String)? in
                    if case .ringing(let c) = s { return (c, a) } else { return nil }
                }.sorted { $0.1 < $1.1 }
                if let (c, a) = ringing.last { apply(.agentRejected(c, a)) }
            case 10:
                if !live.isEmpty { apply(.callerHungUp(live[Int(rng.next() % UInt64(live.count))])) }
            case 11:
                if !live.isEmpty { apply(.agentHungUp(live[Int(rng.next() % UInt64(live.count))])) }
            default:
                if let (id, at) = timers.min(by: { ($0.value, "\($0.key)") < ($1.value, "\($1.key)") }) {
                    now = max(now, at)
                    timers[id] = nil
                    apply(.timerFired(id))
                }
            }
        }
        // Drain: every call still live ends when its caller hangs up.
        for id in arrived where finished[id] == nil { apply(.callerHungUp(id)) }
        for id in arrived where finished[id] != 1 {
            run.violations.append("\(id) finished \(finished[id] ?? 0) times")
        }
        if center.liveCallCount != 0 { run.violations.append("calls left: \(center.liveCallCount)") }
        return (run, config)
    }

    @Test(arguments: 1...40)
    func invariantsHold(seed: Int) throws {
        let (run, _) = try Self.explore(seed: UInt64(seed), steps: 250)
        #expect(run.violations == [])
    }

    @Test(arguments: [3, 17, 29])
    func sameSeedSameEventsSameActions(seed: Int) throws {
        let (run, config) = try Self.explore(seed: UInt64(seed), steps: 250)
        var replay = try CallCenter(config: config)
        for (i, (event, now)) in run.events.enumerated() {
            let out = replay.handle(event, now: now)
            #expect(out == run.actions[i])
            if out != run.actions[i] { break }
        }
    }
}

extension PropertyTests {
    /// Guards the generator itself: the random runs must reach the interesting states.
    @Test func explorationReachesEveryOutcome() throws {
        var dispositions: Set<Disposition> = []
        var rings = 0
        for seed in 1...40 {
            let (run, _) = try Self.explore(seed: UInt64(seed), steps: 250)
            for out in run.actions {
                rings += out.rings.count
                for record in out.records { dispositions.insert(record.disposition) }
            }
        }
        #expect(rings > 100)
        #expect(dispositions == Set(Disposition.allCases))
    }
}
