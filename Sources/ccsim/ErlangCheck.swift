import ArgumentParser
import Foundation
import VirtualTime

/// `ccsim erlang`: the virtual-time simulator (the real routing core) against queueing theory, as
/// a study rather than a test: M/M/N (Erlang C), or M/M/N+M with exponential patience (Erlang A),
/// for several staffing levels. Prints each metric raw and with control variates, the theory
/// value and the relative difference. The verdict is the simulation's own: it exits 1 only when
/// theory lies outside a controlled estimate's 95 % interval, widened for the number of
/// comparisons judged together (Bonferroni: a correct simulator fails a run by chance at most
/// 5 % of the time; `TheoryAgreement`). Fewer than 20,000 calls per level are refused (exit 2).
/// A narrow comparison needs many calls: ~1,000,000 per level for ±1 % on P(wait).
struct ErlangCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erlang",
        abstract: "Compare virtual time with Erlang C (or Erlang A with --patience) over many calls.")
    @Option(help: "Arrivals per hour.") var rate = 200.0
    @Option(help: "Mean talk time (exponential), seconds.") var aht = 180.0
    @Option(help: "Staffing levels, comma-separated.") var agents = "11,12,13,14"
    @Option(help: "Calls per staffing level (at least 20,000).") var calls = 1_000_000
    @Option(help: "Mean patience (exponential), seconds: compare with Erlang A instead.") var patience: Double?
    @Option(help: "Seed of the run.") var seed: UInt64 = 1

    func validate() throws {
        guard calls >= TheoryAgreement.minimumCalls else {
            throw ValidationError("--calls \(calls) is too few to compare with theory: use at least \(TheoryAgreement.minimumCalls)")
        }
        guard !levels.isEmpty else { throw ValidationError("--agents '\(agents)' names no staffing level: use e.g. 11,12,13") }
    }

    var levels: [Int] { agents.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        let lambda = rate / 3600
        let comparisons = levels.count * 3
        let widening = TheoryAgreement.widening(comparisons: comparisons)
        var outside: [String] = []
        var worst = 0.0
        print(patience.map { "M/M/N+M (Erlang A), λ = \(rate)/h, AHT \(aht) s, patience \($0) s, \(calls) calls per level" }
              ?? "M/M/N (Erlang C), λ = \(rate)/h, AHT \(aht) s, \(calls) calls per level")
        print("metric           N    virtual ± 95%          controlled ± 95%       theory      diff (controlled)  verdict")
        for n in levels {
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
                let agrees = TheoryAgreement.agrees(best, theory: theory, comparisons: comparisons)
                if !agrees { outside.append("\(name) N=\(n)") }
                print(name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: " %3d   %9.4f ± %-8.4f   %9.4f ± %-8.4f   %9.4f   %+6.2f%%            %@",
                             n, raw.estimate, raw.halfWidth, controlled?.estimate ?? .nan, controlled?.halfWidth ?? .nan,
                             theory, diff * 100, agrees ? "ok" : "OUTSIDE"))
            }
            print(String(format: "               (%d calls simulated in %.1f s)", r.offered, Date().timeIntervalSince(started)))
        }
        print(String(format: "largest difference from theory: %.2f%%; theory judged against each interval widened x%.2f for %d comparisons",
                     worst * 100, widening, comparisons))
        if !outside.isEmpty {
            print("theory outside the interval: \(outside.joined(separator: ", "))")
            throw ExitCode(1)
        }
        print("every estimate agrees with theory")
    }
}
