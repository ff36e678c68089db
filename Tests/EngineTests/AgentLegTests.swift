import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The agent leg as a state machine (RFC 3261 §9.1 and §13.2), read like a script.
@Suite struct AgentLegTests {
    static let invite = TestPhones.invite(callID: "leg-1")

    func leg() -> AgentLeg { AgentLeg(agent: "alice", invite: Self.invite, target: TestPhones.alice, startedAt: .zero) }

    @Test func cancelBeforeAnyProvisionalIsHeldUntilTheFirstOne() {
        var leg = leg()
        #expect(leg.phase == .calling)
        let held = leg.cancel()
        #expect(held == nil)  // no CANCEL before a 1xx
        #expect(leg.state == .cancelPending && leg.phase == .cancelling)
        let cancel = leg.provisional(TestPhones.agentResponse(180, to: Self.invite))
        #expect(cancel?.method == "CANCEL" && cancel?.via == Self.invite.via)
        #expect(leg.state == .cancelling)
        let again = leg.provisional(TestPhones.agentResponse(183, to: Self.invite))
        #expect(again == nil)  // sent once
    }

    @Test func cancelAfterAProvisionalGoesOutAtOnce() {
        var leg = leg()
        let none = leg.provisional(TestPhones.agentResponse(180, to: Self.invite))
        #expect(none == nil && leg.state == .proceeding && leg.phase == .calling)
        let cancel = leg.cancel(), second = leg.cancel()
        #expect(cancel?.method == "CANCEL" && second == nil)
    }

    @Test func aTwoHundredThatCrossedTheCancelStillAnswersTheLegOnce() {
        var leg = leg()
        _ = leg.provisional(TestPhones.agentResponse(180, to: Self.invite))
        _ = leg.cancel()
        let ok = TestPhones.agentResponse(200, to: Self.invite)
        let first = leg.answered(ok)
        #expect(first && leg.answer == ok && leg.phase == .answered)
        let again = leg.answered(ok)  // a retransmission
        #expect(!again)
        leg.end()
        let late = leg.cancel()
        #expect(leg.phase == .ended && leg.answer == nil && late == nil)
    }
}
