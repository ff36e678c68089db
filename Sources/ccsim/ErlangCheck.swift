import ArgumentParser
import Foundation
import VirtualTime

/// `ccsim erlang`: the virtual-time simulator (the real routing core) against queueing theory, as
/// a study rather than a test: M/M/N (Erlang C), or M/M/N+M with exponential patience (Erlang A),
/// for several staffing levels, with as many calls as a 2 % comparison needs (about a million per
/// level: at 100,000 calls the simulation's own 95 % interval is wider than 2 %; see
/// Tests/VirtualTimeTests/ErlangAgreementTests.swift). Prints each metric raw and with control
/// variates, the theory value and the relative difference; exits 1 when a controlled estimate is
/// further than the tolerance from theory.
struct ErlangCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erlang",
        abstract: "Compare virtual time with Erlang C (or Erlang A with --patience) over many calls.")
    @Option(help: "Arrivals per hour.") var rate = 200.0
    @Option(help: "Mean talk time (exponential), seconds.") var aht = 180.0
    @Option(help: "Staffing levels, comma-separated.") var agents = "11,12,13,14"
    @Option(help: "Calls per staffing level.") var calls = 1_000_000
    @Option(help: "Mean patience (exponential), seconds: compare with Erlang A instead.") var patience: Double?
    @Option(help: "Seed of the run.") var seed: UInt64 = 1
    @Option(help: "Allowed relative difference of a controlled estimate from theory.") var tolerance = 0.02

    func run() throws {
        let lambda = rate / 3600
        var worst = 0.0
        print(patience.map { "M/M/N+M (Erlang A), λ = \(rate)/h, AHT \(aht) s, patience \($0) s, \(calls) calls per level" }
              ?? "M/M/N (Erlang C), λ = \(rate)/h, AHT \(aht) s, \(calls) calls per level")
        print("metric           N    virtual ± 95%          controlled ± 95%       theory      diff (controlled)")
        for n in agents.split(separator: ",").compactMap({ Int($0) }) {
            let scenario = VirtualScenario.singleQueue(arrivalRate: lambda, aht: aht, agents: n, calls: calls,
                                                       meanPatience: patience, seed: seed)
            let started = Date()
            let r = try VirtualTimeRunner.run(scenario)
            var rows: [(String, ConfidenceInterval, ConfidenceInterval?, Double)] = []
            if let patience {
                let t = QueueingTheory.erlangA(arrivalRate: lambda, aht: aht, meanPatience: patience, agents: n)
                rows = [("P(wait)", r.probabilityOfWait, r.controlled?.probabilityOfWait, t.probabilityOfWait),
                        ("P(abandon)", r.abandonRate, r.controlled?.abandonRate, t.probabilityOfAbandon),
                        ("ASA (served)", r.averageSpeedOfAnswer, r.controlled?.averageSpeedOfAnswer, t.averageSpeedOfAnswer)]
            } else if let t = QueueingTheory.erlangC(arrivalRate: lambda, aht: aht, agents: n), let sl = r.serviceLevel(20) {
                rows = [("P(wait)", r.probabilityOfWait, r.controlled?.probabilityOfWait, t.probabilityOfWait),
                        ("ASA", r.averageSpeedOfAnswer, r.controlled?.averageSpeedOfAnswer, t.averageSpeedOfAnswer),
                        ("SL(20s)", sl.ofOffered, r.controlled?.serviceLevelsOfOffered.first, t.serviceLevel(within: 20))]
            } else {
                print("N=\(n): unstable (load \(lambda * aht) >= \(n) agents), skipped")
                continue
            }
            for (name, raw, controlled, theory) in rows {
                let best = controlled ?? raw
                let diff = (best.estimate - theory) / theory
                worst = max(worst, abs(diff))
                print(name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " %3d   %9.4f ± %-8.4f   %9.4f ± %-8.4f   %9.4f   %+6.2f%%",
                             n, raw.estimate, raw.halfWidth, controlled?.estimate ?? .nan, controlled?.halfWidth ?? .nan,
                             theory, diff * 100))
            }
            print(String(format: "               (%d calls simulated in %.1f s)", r.offered, Date().timeIntervalSince(started)))
        }
        print(String(format: "largest difference from theory: %.2f%% (tolerance %.1f%%)", worst * 100, tolerance * 100))
        if worst > tolerance { throw ExitCode(1) }
    }
}
