import Testing
@testable import Bench

/// `ccbench sip` pushes whole calls through the engine's SIP path in process. Behaviour only, no
/// timing thresholds (HOUSE_STYLE).
@Suite struct SIPPathBenchTests {
    /// More calls than the relay port range holds at once (10,000 ports, 4 a call): the bench
    /// gives ports back as the driver does once a call's sockets are closed, so every call is
    /// put through (it stopped at call 2,500 when it did not).
    @Test func moreCallsThanThePortRangeHoldsAreAllPutThrough() throws {
        let result = try SIPPathBench(calls: 2_600).run()
        #expect(result.calls == 2_600)
        // Per call: INVITE, 100, agent INVITE, 180 (x2), 200 (x2), ACK (x2), BYE (x2), 200 (x2).
        #expect(result.messages >= 2_600 * 12)
        #expect(result.engineMicrosPerMessage > result.decodeMicrosPerMessage)
        #expect(result.microsByKind["INVITE"] != nil && result.microsByKind["BYE"] != nil)
    }
}
