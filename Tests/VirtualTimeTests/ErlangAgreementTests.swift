import Testing

@testable import VirtualTime

/// The real routing core, driven in virtual time under Erlang assumptions, against REFERENCE §3.
///
/// Tolerance. A check passes when theory lies inside the run's own 95% interval (batch means),
/// widened for the number of intervals the suite judges (`TheoryAgreement`, Bonferroni: the whole
/// suite fails by chance at most 5% of the time); no fixed percentage. "Within 2%" is the goal at
/// scale, but 100,000 calls cannot always resolve it: most of the spread comes
/// from how far the sampled load strays from its mean, which moves P(wait) several times as much
/// in relative terms. Measured 95% half-widths at 100,000 calls (20 batch means; seeds 1-5 for
/// Erlang C, 1-3 for Erlang A),
/// relative to the Erlang value:
///   Erlang C  N=11: P(wait) 3-5%,  SL(20s) 6-9.5%, ASA 14-29%
///             N=12: P(wait) 4-6%,  SL(20s) 3-4%,  ASA 11-22%
///             N=13: P(wait) 5-7%,  SL(20s) 1.6-2.3%, ASA 12-17%
///             N=14: P(wait) 6-8%,  SL(20s) 1.0-1.4%, ASA 13-18%
///   Erlang A  N=11: P(wait) 2.6-3.6%, P(abandon) 4-6%;  N=12: P(wait) 3.6-5%, P(abandon) 5-7%.
/// With control variates (`VirtualRunResult.controlled`) the P(wait) half-widths shrink to
/// 1.1-3.7% and P(abandon) to 2-4%; a 2% bound on every metric needs roughly 1-4 million calls
/// per staffing level, which is what a release-mode study should use. The seed is fixed (1, the
/// first tried), so the suite is deterministic.
/// At 1,000,000 calls (release) every P(wait) and SL(20s) lands within 1% of Erlang C.
@Suite(.tags(.statistical)) struct ErlangAgreementTests {
    static let lambda = 200.0 / 3600
    static let aht = 180.0
    static let calls = 100_000
    /// Every interval judged in this suite (4 x 6 Erlang C, 2 x 5 Erlang A): each is widened so
    /// that the suite as a whole fails by chance at most 5 % of the time (`TheoryAgreement`).
    static let comparisons = 34

    func expectClose(
        _ ci: ConfidenceInterval, _ expected: Double, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            TheoryAgreement.agrees(ci, theory: expected, comparisons: Self.comparisons),
            "\(what): virtual \(ci.estimate) ± \(ci.halfWidth) (x\(TheoryAgreement.widening(comparisons: Self.comparisons))) vs theory \(expected)",
            sourceLocation: sourceLocation)
    }

    @Test(arguments: [11, 12, 13, 14])
    func erlangC(agents n: Int) throws {
        let scenario = VirtualScenario.singleQueue(
            arrivalRate: Self.lambda, aht: Self.aht, agents: n, calls: Self.calls, seed: 1)
        let result = try VirtualTimeRunner.run(scenario)
        let theory = try #require(QueueingTheory.erlangC(arrivalRate: Self.lambda, aht: Self.aht, agents: n))
        #expect(result.offered >= 99_000)
        #expect(result.answered == result.offered)
        let sl = try #require(result.serviceLevel(20))
        expectClose(result.probabilityOfWait, theory.probabilityOfWait, "P(wait) N=\(n)")
        expectClose(result.averageSpeedOfAnswer, theory.averageSpeedOfAnswer, "ASA N=\(n)")
        expectClose(sl.ofOffered, theory.serviceLevel(within: 20), "SL(20s) N=\(n)")
        // Without abandonment both SL definitions coincide.
        #expect(sl.ofOffered.estimate == sl.ofAnswered.estimate)

        let controlled = try #require(result.controlled)
        expectClose(controlled.probabilityOfWait, theory.probabilityOfWait, "controlled P(wait) N=\(n)")
        expectClose(controlled.averageSpeedOfAnswer, theory.averageSpeedOfAnswer, "controlled ASA N=\(n)")
        expectClose(controlled.serviceLevelsOfOffered[0], theory.serviceLevel(within: 20), "controlled SL N=\(n)")

        // Occupancy is the carried load per agent, A/N.
        let occupancy = result.agents.map(\.occupancy).reduce(0, +) / Double(n)
        #expect(abs(occupancy - Self.lambda * Self.aht / Double(n)) < 0.02)
    }

    @Test(arguments: [11, 12])
    func erlangA(agents n: Int) throws {
        let scenario = VirtualScenario.singleQueue(
            arrivalRate: Self.lambda, aht: Self.aht, agents: n, calls: Self.calls,
            meanPatience: Self.aht, seed: 1)
        let result = try VirtualTimeRunner.run(scenario)
        let theory = QueueingTheory.erlangA(
            arrivalRate: Self.lambda, aht: Self.aht, meanPatience: Self.aht, agents: n)
        #expect(result.abandoned > 0 && result.answered + result.abandoned == result.offered)
        expectClose(result.abandonRate, theory.probabilityOfAbandon, "P(abandon) N=\(n)")
        expectClose(result.probabilityOfWait, theory.probabilityOfWait, "P(wait) N=\(n)")
        expectClose(result.averageSpeedOfAnswer, theory.averageSpeedOfAnswer, "ASA of served N=\(n)")
        let controlled = try #require(result.controlled)
        expectClose(controlled.abandonRate, theory.probabilityOfAbandon, "controlled P(abandon) N=\(n)")
        expectClose(controlled.probabilityOfWait, theory.probabilityOfWait, "controlled P(wait) N=\(n)")
    }

    /// The judgement has teeth: the same run is far outside the interval of a neighbouring
    /// staffing level's theory.
    @Test func aWrongTheoryIsRefused() throws {
        let scenario = VirtualScenario.singleQueue(
            arrivalRate: Self.lambda, aht: Self.aht, agents: 12, calls: Self.calls, seed: 1)
        let result = try VirtualTimeRunner.run(scenario)
        let wrong = try #require(QueueingTheory.erlangC(arrivalRate: Self.lambda, aht: Self.aht, agents: 13))
        #expect(!TheoryAgreement.agrees(result.probabilityOfWait, theory: wrong.probabilityOfWait, comparisons: Self.comparisons))
    }
}

struct TheoryAgreementTests {
    @Test func normalQuantiles() {
        #expect(abs(TheoryAgreement.normalQuantile(0.975) - 1.959964) < 1e-6)
        #expect(abs(TheoryAgreement.normalQuantile(0.5)) < 1e-12)
        #expect(abs(TheoryAgreement.normalQuantile(0.001) + 3.090232) < 1e-6)
        #expect(TheoryAgreement.widening(comparisons: 1) == 1)
        #expect(abs(TheoryAgreement.widening(comparisons: 12) - 2.8653 / 1.959964) < 1e-3)
    }

    @Test func theoryInsideTheIntervalAgreesOutsideDoesNot() {
        let ci = ConfidenceInterval(estimate: 0.50, halfWidth: 0.01, method: "test")
        #expect(TheoryAgreement.agrees(ci, theory: 0.509, comparisons: 1))
        #expect(!TheoryAgreement.agrees(ci, theory: 0.511, comparisons: 1))
        #expect(TheoryAgreement.agrees(ci, theory: 0.511, comparisons: 12))  // widened x1.46
        #expect(!TheoryAgreement.agrees(ConfidenceInterval(estimate: 0.5, halfWidth: .infinity, method: "none"), theory: 0.5, comparisons: 1))
    }
}
