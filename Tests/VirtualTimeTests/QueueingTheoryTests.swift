import Foundation
import Testing

@testable import VirtualTime

/// REFERENCE §3 tables, to the printed precision.
@Suite struct QueueingTheoryTests {
    /// Rounds to `places` decimals, as the table prints.
    func rounded(_ x: Double, _ places: Int) -> Double {
        let f = pow(10, Double(places))
        return (x * f).rounded() / f
    }

    @Test(arguments: [
        (200.0, 180.0, 11, 0.6821, 122.78, 20.0, 0.3896),
        (200.0, 180.0, 12, 0.4494, 40.44, 20.0, 0.6402),
        (200.0, 180.0, 13, 0.2853, 17.12, 20.0, 0.7956),
        (200.0, 180.0, 14, 0.1741, 7.84, 20.0, 0.8884),
        (720.0, 240.0, 55, 0.2387, 8.18, 15.0, 0.8459),
    ])
    func erlangCMatchesTheTable(
        _ perHour: Double, _ aht: Double, _ n: Int, _ pWait: Double, _ asa: Double, _ t: Double,
        _ sl: Double
    ) throws {
        let c = try #require(QueueingTheory.erlangC(arrivalRate: perHour / 3600, aht: aht, agents: n))
        #expect(rounded(c.probabilityOfWait, 4) == pWait)
        #expect(rounded(c.averageSpeedOfAnswer, 2) == asa)
        #expect(rounded(c.serviceLevel(within: t), 4) == sl)
    }

    @Test(arguments: [
        (200.0, 180.0, 180.0, 11, 0.4170, 0.0834, 13.54),
        (200.0, 180.0, 180.0, 12, 0.3032, 0.0531, 8.53),
        (200.0, 180.0, 180.0, 14, 0.1355, 0.0187, 3.00),
        (720.0, 240.0, 120.0, 55, 0.1501, 0.0170, -1),
    ])
    func erlangAMatchesTheTable(
        _ perHour: Double, _ aht: Double, _ patience: Double, _ n: Int, _ pWait: Double,
        _ pAbandon: Double, _ asa: Double
    ) {
        let a = QueueingTheory.erlangA(
            arrivalRate: perHour / 3600, aht: aht, meanPatience: patience, agents: n)
        #expect(rounded(a.probabilityOfWait, 4) == pWait)
        #expect(rounded(a.probabilityOfAbandon, 4) == pAbandon)
        if asa >= 0 { #expect(rounded(a.averageSpeedOfAnswer, 2) == asa) }
    }

    /// With patience mean = AHT the number in system is Poisson(A): a closed-form check.
    @Test func erlangAWithPatienceEqualToAHTIsPoisson() {
        let a = QueueingTheory.erlangA(arrivalRate: 200.0 / 3600, aht: 180, meanPatience: 180, agents: 11)
        var term = exp(-10.0), below = 0.0
        for k in 0..<11 {
            below += term
            term *= 10 / Double(k + 1)
        }
        #expect(abs(a.probabilityOfWait - (1 - below)) < 1e-12)
    }

    @Test func erlangBAndUnstableErlangC() {
        #expect(rounded(QueueingTheory.erlangB(load: 10, agents: 10), 4) == 0.2146)
        #expect(QueueingTheory.erlangC(arrivalRate: 1, aht: 10, agents: 10) == nil)
    }
}
