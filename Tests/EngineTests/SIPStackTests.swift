import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The transaction layer in front of the B2BUA: retransmissions and timers with a manual clock.
struct SIPStackTests {
    var stack: SIPStack
    var now: Duration = .zero

    init() throws {
        let routing = CallCenterConfig(ringTimeout: .seconds(60), callsRequireNode: false, defaultRecipe: [],
                                       queues: [QueueConfig(name: "support")], agents: [AgentConfig(login: "alice"), AgentConfig(login: "bob")])
        stack = SIPStack(core: B2BUA(settings: .init(sip: TestPhones.engine, mediaHost: "127.0.0.1", rtpPorts: 20000...20099),
                                     center: try CallCenter(config: routing), agents: ["alice", "bob"], queues: ["support"], seed: 5))
    }

    mutating func feed(_ m: SIPMessage, from: Endpoint, at t: Duration? = nil) -> [EngineAction] {
        now = t ?? now + .milliseconds(10)
        return stack.handle(.received(m, from: from), now: now)
    }

    /// Fires every armed timer due by `t`, in order, returning what they did.
    mutating func advance(to t: Duration, armed: inout [EngineTimer: Duration]) -> [EngineAction] {
        var out: [EngineAction] = []
        while let (id, at) = armed.filter({ $0.value <= t }).min(by: { $0.value < $1.value }) {
            armed[id] = nil
            now = at
            let actions = stack.handle(.timerFired(id), now: at)
            track(actions, &armed)
            out += actions
        }
        now = t
        return out
    }

    func track(_ actions: [EngineAction], _ armed: inout [EngineTimer: Duration]) {
        for a in actions {
            if case .startTimer(let id, let at) = a { armed[id] = at }
            if case .cancelTimer(let id) = a { armed[id] = nil }
        }
    }

    mutating func registerAlice() {
        _ = feed(TestPhones.register("alice", from: TestPhones.alice), from: TestPhones.alice)
    }

    @Test mutating func retransmittedInviteIsAbsorbedAndAnsweredAgain() {
        registerAlice()
        let invite = TestPhones.invite()
        let first = feed(invite, from: TestPhones.customer)
        #expect(first.sentRequests("INVITE").count == 1)
        if let agentInvite = first.sentRequests("INVITE").first {
            _ = feed(TestPhones.agentResponse(180, to: agentInvite), from: TestPhones.alice)  // reflected to the caller
        }
        let again = feed(invite, from: TestPhones.customer)
        #expect(again.sentRequests("INVITE").isEmpty)  // no second agent leg
        #expect(again.sentResponses(180).count == 1)   // the last provisional, resent by the transaction
        #expect(stack.core.activeCalls == 1)
    }

    @Test mutating func agentInviteIsRetransmittedAndTimerBMovesToTheNextAgent() throws {
        registerAlice()
        _ = feed(TestPhones.register("bob", from: TestPhones.bob), from: TestPhones.bob)
        var armed: [EngineTimer: Duration] = [:]
        let first = feed(TestPhones.invite(), from: TestPhones.customer, at: .seconds(1))
        track(first, &armed)
        let (invite, target) = try #require(first.sent.first { $0.0.method == "INVITE" })
        // Timer A: the same INVITE again at +0.5 s, +1.5 s, +3.5 s (RFC 3261 §17.1.1.2).
        let resent = advance(to: .seconds(1) + .milliseconds(3600), armed: &armed)
        #expect(resent.sent.filter { $0.0.method == "INVITE" && $0.0.branch == invite.branch }.count == 3)
        // Timer B at 64*T1 = 32 s: the agent never answered; the next agent rings.
        let later = advance(to: .seconds(34), armed: &armed)
        let next = try #require(later.sent.first { $0.0.method == "INVITE" && $0.0.branch != invite.branch })
        #expect(next.1 != target)
    }

    @Test mutating func agentBusyIsAckedOnTheInviteBranch() throws {
        registerAlice()
        let first = feed(TestPhones.invite(), from: TestPhones.customer)
        let invite = try #require(first.sentRequests("INVITE").first)
        let out = feed(TestPhones.agentResponse(486, to: invite), from: TestPhones.alice)
        let ack = try #require(out.sentRequests("ACK").first)
        #expect(ack.branch == invite.branch)
        #expect(ack.to.tag == "agent-tag")
    }

    @Test mutating func okToTheCallerIsRetransmittedUntilAcked() throws {
        registerAlice()
        var armed: [EngineTimer: Duration] = [:]
        let inviteFromCustomer = TestPhones.invite()
        let first = feed(inviteFromCustomer, from: TestPhones.customer, at: .seconds(1))
        track(first, &armed)
        let agentInvite = try #require(first.sentRequests("INVITE").first)
        let answered = feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice, at: .seconds(2))
        track(answered, &armed)
        let ok = try #require(answered.sentResponses(200).first { $0.cseq.method == "INVITE" })
        // §13.3.1.4: resent at T1, 2*T1, ... until the ACK.
        let resent = advance(to: .seconds(2) + .milliseconds(1600), armed: &armed)
        #expect(resent.sentResponses(200).filter { $0.cseq.method == "INVITE" }.count == 2)
        let ack = TestPhones.inDialog("ACK", after: inviteFromCustomer, toTag: ok.to.tag!, cseq: 1)
        track(feed(ack, from: TestPhones.customer), &armed)
        let quiet = advance(to: .seconds(20), armed: &armed)
        #expect(quiet.sentResponses(200).isEmpty)
    }

    @Test mutating func okNeverAckedEndsTheCall() throws {
        registerAlice()
        var armed: [EngineTimer: Duration] = [:]
        let first = feed(TestPhones.invite(), from: TestPhones.customer, at: .seconds(1))
        track(first, &armed)
        let agentInvite = try #require(first.sentRequests("INVITE").first)
        track(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice, at: .seconds(2)), &armed)
        let later = advance(to: .seconds(40), armed: &armed)
        #expect(Set(later.sentRequests("BYE").map(\.callID)).count == 2)  // both legs (each retransmitted by Timer E)
        #expect(later.records.map(\.disposition) == [.answered])
    }

    @Test mutating func retransmittedByeGetsTheSame200() throws {
        registerAlice()
        let invite = TestPhones.invite()
        let agentInvite = try #require(feed(invite, from: TestPhones.customer).sentRequests("INVITE").first)
        let ok = try #require(feed(TestPhones.agentResponse(200, to: agentInvite), from: TestPhones.alice).sentResponses(200).first)
        _ = feed(TestPhones.inDialog("ACK", after: invite, toTag: ok.to.tag!, cseq: 1), from: TestPhones.customer)
        let bye = TestPhones.inDialog("BYE", after: invite, toTag: ok.to.tag!)
        #expect(feed(bye, from: TestPhones.customer).sentResponses(200).count == 1)
        let again = feed(bye, from: TestPhones.customer)
        #expect(again.sentResponses(200).count == 1)
        #expect(again.sentResponses(481).isEmpty)
    }
}
