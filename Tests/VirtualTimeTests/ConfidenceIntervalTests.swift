import Foundation
import Testing
@testable import VirtualTime

/// Confidence intervals stay within what the quantity can be: no negative abandonment.
struct ConfidenceIntervalTests {
    @Test func endsAreClampedToTheQuantitysRange() throws {
        let ci = ConfidenceInterval(estimate: 0.001, halfWidth: 0.004, method: "test").clamped(to: ConfidenceInterval.fraction)
        #expect(ci.lower == 0 && abs(ci.upper - 0.005) < 1e-12)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ci)) as? [String: Any]
        #expect(json?["lower"] as? Double == 0)
    }

    @Test func aRunWithRareAbandonmentHasNoNegativeLowerBound() throws {
        var s = VirtualScenario.singleQueue(arrivalRate: 200.0 / 3600, aht: 180, agents: 17, calls: 400, seed: 3)
        s.customerStreams[0].patience = .exponential(mean: 120)
        let r = try VirtualTimeRunner.run(s)
        #expect(r.abandonRate.estimate < 0.02)
        #expect(r.abandonRate.estimate - r.abandonRate.halfWidth < 0, "the raw interval would go below zero (else this test shows nothing)")
        #expect(r.abandonRate.lower >= 0 && r.probabilityOfWait.lower >= 0 && r.averageSpeedOfAnswer.lower >= 0)
        #expect(r.serviceLevels.allSatisfy { $0.ofOffered.upper <= 1 && $0.ofAnswered.upper <= 1 })
    }
}
