import Foundation
import Testing
@testable import Bench

/// The RTP bench in quick mode through the engine's real `RTPRelay` (opened and pointed at the
/// generator with `open` + `setPeer`): media flows both ways and the relay counts it. Behaviour
/// only, no timing thresholds (HOUSE_STYLE).
@Suite(.serialized) struct RTPBenchTests {
    @Test func quickModeRelaysBothDirectionsThroughRTPRelay() throws {
        let result = try RTPBench.quick.run()
        for ramp in [result.bare, result.relay] {
            let step = try #require(ramp.steps.first)
            #expect(step.calls == 10)
            #expect(step.load.packetsSent == 20 * 25)
            #expect(step.load.receivedCallerToAgent > 0)
            #expect(step.load.receivedAgentToCaller > 0)
            #expect(step.relayCounter > 0)
            #expect(step.load.malformedPackets == 0)
            #expect(step.load.firstForwarded?.payloadType == 0)
        }
        #expect(result.relay.kind == .relay && result.relay.threads == 2)
        #expect(result.relayOneThread == nil)
        // Every packet the generator got back went through the relay's counter.
        let relayStep = result.relay.steps[0]
        #expect(relayStep.relayCounter >= relayStep.load.packetsReceived)
        #expect(result.textTable().contains("RTPRelay (2 threads)"))
        let json = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(RTPBenchResult.self, from: json) == result)
    }

    @Test func rejectsOptionsItCannotRun() {
        #expect(throws: RTPBenchError.self) { try RTPBench(steps: []).run() }
        #expect(throws: RTPBenchError.self) { try RTPBench(steps: [100], maxCalls: 50).run() }
        #expect(throws: RTPBenchError.self) { try RTPBench(steps: [5_000], maxCalls: 5_000, ports: 12_000...12_999).run() }
    }
}
