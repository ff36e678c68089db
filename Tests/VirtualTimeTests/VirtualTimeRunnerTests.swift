import CallCenter
import Foundation
import Testing
import Workload

@testable import VirtualTime

@Suite struct VirtualTimeRunnerTests {
    /// Two skill groups, rejects, no-answers, a ring timeout, wrap-up, answer delays, patience,
    /// breaks, a logout, the standard recipe and a rate profile: most of the driver at once.
    static func busyScenario(seed: UInt64 = 7) -> VirtualScenario {
        let sales = (1...6).map { "s\($0)" }, support = (1...4).map { "t\($0)" }
        let routing = CallCenterConfig(
            ringTimeout: .seconds(15), wrapUpTime: .seconds(5), seed: 3,
            queues: [QueueConfig(name: "sales", skills: ["sales"]), QueueConfig(name: "support", skills: ["support"])],
            agents: sales.map { AgentConfig(login: $0, skills: ["sales", "support"]) }
                + support.map { AgentConfig(login: $0, skills: ["support"]) })
        return VirtualScenario(
            routing: routing,
            agentGroups: [
                VirtualAgentGroup(
                    logins: sales, answerDelay: .uniform(1, 4), rejectProbability: 0.1,
                    noAnswerProbability: 0.05, breaks: [VirtualBreak(at: 1800, duration: 600, reason: "lunch")]),
                VirtualAgentGroup(
                    logins: support, answerDelay: .constant(2), talkTime: .exponential(mean: 200),
                    loginAt: 60, logoutAt: 3000),
            ],
            customerStreams: [
                VirtualCustomerStream(
                    queue: "sales", arrivals: .profile(RateProfile(perHour: [60, 120, 30], interval: 1200)),
                    holdTime: .lognormal(mean: 150, stddev: 80), patience: .exponential(mean: 90)),
                VirtualCustomerStream(
                    queue: "support", calls: 80, arrival: .poisson(rate: 1.0 / 40, start: 10),
                    holdTime: .exponential(mean: 120), patience: .uniform(30, 300), client: "acme"),
            ],
            duration: 3600, warmUp: 300, seed: seed, reportInterval: 600, serviceLevelThresholds: [20, 60])
    }

    func json(_ result: VirtualRunResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(result)
    }

    @Test func sameSeedSameResult() throws {
        let a = try VirtualTimeRunner.run(Self.busyScenario())
        let b = try VirtualTimeRunner.run(Self.busyScenario())
        #expect(try json(a) == json(b))
        let c = try VirtualTimeRunner.run(Self.busyScenario(seed: 8))
        #expect(try json(a) != json(c))
    }

    @Test func everyCallEndsOnceAndNoAgentHoldsTwoCalls() throws {
        let result = try VirtualTimeRunner.run(Self.busyScenario())
        #expect(result.calls.count > 100)
        #expect(result.calls.allSatisfy { $0.outcome != .unfinished })
        let counted = result.calls.filter(\.counted)
        #expect(counted.count == result.offered)
        #expect(result.answered + result.abandoned + result.failed + result.voicemail + result.rejected
            == result.offered)
        #expect(result.abandoned > 0 && result.answered > 0)
        var byAgent: [String: [VirtualCallResult]] = [:]
        for call in result.calls where call.outcome == .answered {
            byAgent[try #require(call.agent), default: []].append(call)
            #expect(call.answer! >= call.arrival && call.end >= call.answer!)
        }
        for (_, calls) in byAgent {
            let sorted = calls.sorted { $0.answer! < $1.answer! }
            for (x, y) in zip(sorted, sorted.dropFirst()) { #expect(x.end <= y.answer!) }
        }
        // Support-only agents never take sales calls.
        #expect(!result.calls.contains { $0.queue == "sales" && ($0.agent?.hasPrefix("t") ?? false) })
        // The intervals account for every call, and SL under both definitions is reported.
        #expect(result.intervals.reduce(0) { $0 + $1.offered } == result.calls.count)
        let sl = try #require(result.serviceLevel(60))
        #expect(sl.ofAnswered.estimate >= sl.ofOffered.estimate)
        #expect(result.agents.allSatisfy { $0.occupancy >= 0 && $0.occupancy <= 1 })
    }

    /// One agent, a call every 100 s, 2 s to answer, 30 s of talk: nothing ever waits in queue.
    @Test func aScriptedRunHasExactFigures() throws {
        let routing = CallCenterConfig(
            callsRequireNode: false, defaultRecipe: [], queues: [QueueConfig(name: "q")],
            agents: [AgentConfig(login: "a")])
        let scenario = VirtualScenario(
            routing: routing, agentGroups: [VirtualAgentGroup(logins: ["a"], answerDelay: .constant(2))],
            customerStreams: [
                VirtualCustomerStream(queue: "q", calls: 10, arrival: .every(100, start: 50), holdTime: .constant(30))
            ],
            duration: 1000, reportInterval: 500)
        let result = try VirtualTimeRunner.run(scenario)
        #expect(result.offered == 10 && result.answered == 10 && result.waited == 0)
        #expect(result.probabilityOfWait.estimate == 0)
        #expect(abs(result.averageSpeedOfAnswer.estimate - 2) < 1e-9)
        #expect(result.maxWait == 2)
        #expect(result.serviceLevel(20)?.ofOffered.estimate == 1)
        let agent = try #require(result.agents.first)
        #expect(agent.calls == 10)
        #expect(abs(agent.busyTime - 320) < 1e-6)  // 10 x (2 s ringing + 30 s talking)
        #expect(abs(agent.loggedInTime - result.simulatedTime) < 1e-6)
        let ends: [Double] = (0..<10).map { (k: Int) -> Double in 82 + 100 * Double(k) }
        #expect(result.calls.map(\.end) == ends)
        // 500 s intervals: 5 calls each; the agent is on a call 5 x 30 s of each 500 s.
        #expect(result.intervals.prefix(2).map(\.offered) == [5, 5])
        #expect(abs(result.intervals[0].agents.onCall - 150.0 / 500) < 1e-9)
    }

    @Test func patienceAbandonsAndTheHorizonCutsOff() throws {
        let routing = CallCenterConfig(
            callsRequireNode: false, defaultRecipe: [], queues: [QueueConfig(name: "q")],
            agents: [AgentConfig(login: "late")])
        var scenario = VirtualScenario(
            routing: routing, agentGroups: [VirtualAgentGroup(logins: ["late"], loginAt: 1000)],
            customerStreams: [
                VirtualCustomerStream(
                    queue: "q", calls: 3, arrival: .every(10, start: 0), holdTime: .constant(5),
                    patience: .constant(60))
            ],
            duration: 100)
        var result = try VirtualTimeRunner.run(scenario)
        #expect(result.abandoned == 3 && result.abandonRate.estimate == 1)
        #expect(result.meanTimeToAbandon == 60)

        scenario.customerStreams[0].patience = nil
        // Arrivals end with the 100 s duration; calls still up 200 s later are cut off.
        scenario.drainLimit = 200
        result = try VirtualTimeRunner.run(scenario)
        #expect(result.unfinished == 3)
        #expect(result.calls.allSatisfy { $0.end == 300 })
        #expect(result.simulatedTime == 300)
    }

    @Test func rejectingAgentsAreReleasedAndOthersAnswer() throws {
        let routing = CallCenterConfig(
            callsRequireNode: false, defaultRecipe: [], queues: [QueueConfig(name: "q")],
            agents: [AgentConfig(login: "grumpy"), AgentConfig(login: "keen")])
        let scenario = VirtualScenario(
            routing: routing,
            agentGroups: [
                VirtualAgentGroup(logins: ["grumpy"], rejectProbability: 1),
                VirtualAgentGroup(logins: ["keen"], answerDelay: .constant(1), loginAt: 0),
            ],
            customerStreams: [
                VirtualCustomerStream(queue: "q", calls: 20, arrival: .every(60, start: 0), holdTime: .constant(10))
            ],
            duration: 1200)
        let result = try VirtualTimeRunner.run(scenario)
        #expect(result.answered == 20)
        #expect(result.calls.allSatisfy { $0.agent == "keen" })
        // Three consecutive rejects release the agent ("Ring Fail"): released from then on.
        let grumpy = try #require(result.agents.first { $0.login == "grumpy" })
        #expect(grumpy.releasedTime > 1000)
    }

    @Test func rateProfileArrivalsFollowTheRate() throws {
        let profile = RateProfile(perHour: [0, 3600, 0, 1800], interval: 1000)
        #expect(profile.expectedArrivals(from: 0, to: 4000) == 1500)
        var rng = SplitMix(seed: 9)
        var t = 0.0, counts = [0, 0, 0, 0]
        while let next = profile.next(after: t, &rng), next < 4000 {
            counts[Int(next / 1000)] += 1
            t = next
        }
        #expect(counts[0] == 0 && counts[2] == 0)
        #expect(abs(counts[1] - 1000) < 120 && abs(counts[3] - 500) < 90)  // > 3.5 sigma
    }

    @Test func burstsAddTheirCallsInTheirWindow() {
        let arrival = Arrival.profile(RateProfile([.init(start: 0, rate: 0.1)]).adding(bursts: [(at: 1000, calls: 400, window: 100)]))
        var rng = SplitMix(seed: 3)
        var t: Double? = nil, inBurst = 0, outside = 0
        while let next = arrival.next(after: t, &rng), next < 2000 {
            if (1000..<1100).contains(next) { inBurst += 1 } else { outside += 1 }
            t = next
        }
        // Expected 400 + 10 in the window (sd ~20), 190 outside (sd ~14).
        #expect(abs(inBurst - 410) < 80 && abs(outside - 190) < 55)
    }

    @Test func badScenariosAreRefusedByName() {
        var scenario = VirtualScenario.singleQueue(arrivalRate: 0.01, aht: 60, agents: 2, calls: 10)
        scenario.agentGroups[0].logins.append("ghost")
        #expect(throws: VirtualScenarioError.unknownAgent("ghost", group: 0)) {
            try VirtualTimeRunner(scenario: scenario)
        }
        scenario = VirtualScenario.singleQueue(arrivalRate: 0.01, aht: 60, agents: 2, calls: 10)
        scenario.agentGroups[0].rejectProbability = 1.5
        #expect(throws: VirtualScenarioError.self) { try VirtualTimeRunner(scenario: scenario) }
        scenario = VirtualScenario.singleQueue(arrivalRate: 0.01, aht: 60, agents: 2, calls: 10)
        scenario.routing.ringTimeout = .zero
        do {
            _ = try VirtualTimeRunner.run(scenario)
            Issue.record("a zero ring timeout was accepted")
        } catch {
            #expect("\(error)".contains("ring timeout"))
        }
    }
}
