import CallCenter
import SIP
import Testing
@testable import Engine
@testable import EngineCore

/// The customer leg as a state machine (RFC 3261 §13.3, §17.2.1), read like a script.
@Suite struct CustomerLegTests {
    static let invite = TestPhones.invite(callID: "cust-leg")

    static func bye(_ dialog: inout Dialog) -> SIPMessage { dialog.request("BYE", via: Via(host: "h", port: 5060, branch: "z9hG4bK-b")) }
    static func never(_ dialog: inout Dialog) -> SIPMessage { invite }

    func leg() throws -> CustomerLeg {
        CustomerLeg(invite: Self.invite, responseTarget: TestPhones.customer, source: TestPhones.customer, localTag: "t1",
                    dialog: Dialog(uas: Self.invite, localTag: "t1"), offer: try SessionDescription.parse(Self.invite.body),
                    trying: Self.invite.response(100))
    }

    @Test func ringsOnceAndARetransmittedInviteGetsTheLastResponse() throws {
        var leg = try leg()
        #expect(leg.phase == .early && leg.lastResponse.status == 100)
        let ringing = Self.invite.response(180, toTag: "t1")
        let first = leg.ring(ringing), second = leg.ring(ringing)
        #expect(first && !second, "one 180 is enough")
        #expect(leg.lastResponse.status == 180)
        let progress = Self.invite.response(183, toTag: "t1")
        leg.earlyMedia(progress, from: "agent-leg-1")
        #expect(leg.earlyMediaLeg == "agent-leg-1" && leg.lastResponse.status == 183)
        leg.earlyMediaEnded("another-leg")
        #expect(leg.earlyMediaLeg == "agent-leg-1", "only its own leg ends the early media")
        leg.earlyMediaEnded("agent-leg-1")
        #expect(leg.earlyMediaLeg == nil)
    }

    @Test func endingUnansweredSendsTheFinalResponseAndEndingAnsweredSendsABye() throws {
        var early = try leg()
        let ending = early.end(final: { Self.invite.response(487, toTag: "t1") }, bye: Self.bye)
        guard case .response(let r) = ending else { Issue.record("\(ending)"); return }
        #expect(r.status == 487 && early.phase == .ended && early.lastResponse.status == 487)
        let again = early.end(final: { Self.invite.response(500) }, bye: Self.never)
        let answeredLate = early.answer(with: Self.invite.response(200))
        #expect(again == .none, "ended once")
        #expect(!answeredLate, "an ended leg is not answered")

        var answered = try leg()
        let took = answered.answer(with: Self.invite.response(200, toTag: "t1"))
        #expect(took)
        #expect(answered.phase == .answered && answered.earlyMediaLeg == nil)
        let bye = answered.end(final: { Self.invite.response(500) }, bye: Self.bye)
        guard case .bye(let m) = bye else { Issue.record("\(bye)"); return }
        #expect(m.method == "BYE" && m.to.tag == Self.invite.from.tag)
        #expect(answered.phase == .ended && answered.lastResponse.status == 200, "a late INVITE retransmission still gets the 200")
    }

    @Test func theCallerHangingUpEndsTheLegKeepingTheLastResponse() throws {
        var leg = try leg()
        _ = leg.answer(with: Self.invite.response(200, toTag: "t1"))
        leg.callerEnded()
        #expect(leg.phase == .ended && leg.lastResponse.status == 200)
        let ending = leg.end(final: { Self.invite.response(500) }, bye: Self.never)
        #expect(ending == .none)
    }
}
