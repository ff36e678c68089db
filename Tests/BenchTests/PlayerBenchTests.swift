import Foundation
import Testing
@testable import Bench

/// `ccbench players` in small: music on hold from the engine's real `RTPRelay` to 20 streams,
/// beside the bare player, measured by the one receiver. Behaviour only, no timing thresholds
/// (HOUSE_STYLE): both paths deliver their streams' frames, each stream's sequence runs on.
@Suite(.serialized) struct PlayerBenchTests {
    @Test func theRelayAndTheBarePlayerEachDeliverEveryStream() throws {
        let result = try PlayerBench(streams: 20, seconds: 2, ports: 33000...33199).run { _ in }
        for path in [result.relay, result.bare] {
            #expect(path.streams == 20)
            #expect(path.framesExpected == 20 * 75)
            #expect(path.framesReceived > path.framesExpected / 2, "\(path.path): \(path.framesReceived) of \(path.framesExpected) frames")
            #expect(path.lost <= path.framesExpected / 100, "\(path.path): \(path.lost) frames lost")
            #expect(path.jitter.count > 0)
        }
        #expect(result.textTable().contains("ratio relay/bare"))
    }
}
