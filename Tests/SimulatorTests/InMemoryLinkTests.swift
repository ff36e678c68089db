import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore
@testable import Simulator

/// The engine core and ccsim's phones in one process on a virtual clock (`InMemoryLink`): the
/// same SIP (encoded and decoded, through both sides' transaction layers and dialogs), no socket,
/// no sleep. Twelve calls to three agents finish in milliseconds of real time, every call answered
/// and recorded, and two runs send byte-identical messages.
@Suite struct InMemoryLinkTests {
    struct Run {
        var outcomes: [String: CallObservation.Outcome] = [:]
        var agents: [String] = []
        var records: [CallRecord] = []
        var sent: [String] = []
    }

    static func run(seed: UInt64) throws -> Run {
        let agents = ["alice", "bob", "carol"]
        let routing = CallCenterConfig(ringTimeout: .seconds(10), wrapUpTime: .zero, callsRequireNode: false, defaultRecipe: [],
                                       queues: [QueueConfig(name: "support")], agents: agents.map { AgentConfig(login: $0) })
        let b2bua = B2BUA(settings: .init(sip: Endpoint(host: "127.0.0.1", port: 5060), mediaHost: "127.0.0.1", rtpPorts: 20000...20999),
                          center: try CallCenter(config: routing), agents: Set(agents), queues: ["support"], seed: seed)
        let link = InMemoryLink(stack: SIPStack(core: b2bua), engine: Endpoint(host: "127.0.0.1", port: 5060))
        link.start()
        let observations = Observations()
        var group = AgentGroup(logins: agents)
        group.answerDelay = .constant(0.4)
        let phones = agents.enumerated().map { i, login in
            VirtualAgent(phone: link.phone(user: login, seed: seed &+ UInt64(i)), login: login, password: nil, group: group,
                         media: nil, observations: observations, scale: 1, seed: seed &+ UInt64(i))
        }
        for p in phones { _ = p.register() }
        link.advance(seconds: 1)
        let registered = phones.filter { $0.registered }.count
        #expect(registered == agents.count, "the agents did not register in memory")
        var stream = CustomerStream(queue: "support", calls: 12, arrival: .every(0.5, start: 0))
        stream.holdTime = .constant(2)
        let clock = RunClock()
        var customers: [VirtualCustomer] = []
        for n in 0..<12 {
            let c = VirtualCustomer(phone: link.phone(user: "cust\(n)", seed: seed &* 31 &+ UInt64(n)), stream: stream, callerID: "cust\(n)",
                                    media: nil, observations: observations, clock: clock, scale: 1, seed: seed &* 31 &+ UInt64(n))
            customers.append(c)
            c.call()
            link.advance(seconds: 0.5)
        }
        link.advance(seconds: 30)
        var run = Run()
        for o in observations.all() {
            run.outcomes[o.callID] = o.outcome
            run.agents.append(o.agent ?? "-")
        }
        run.records = link.records
        run.sent = link.sent
        return run
    }

    @Test func callsRunEndToEndInMemoryOnAVirtualClockAndReplayExactly() throws {
        let first = try Self.run(seed: 11)
        #expect(first.outcomes.count == 12)
        let answered = first.outcomes.values.filter { $0 == .answered }.count
        let answeredRecords = first.records.filter { $0.disposition == .answered }.count
        #expect(answered == 12, "\(first.outcomes)")
        #expect(first.records.count == 12 && answeredRecords == 12)
        #expect(Set(first.agents) == ["alice", "bob", "carol"])
        let second = try Self.run(seed: 11)
        #expect(second.agents == first.agents)
        #expect(second.sent == first.sent, "two runs of the same seed sent different bytes")
    }
}
