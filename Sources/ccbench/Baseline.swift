import Bench
import Foundation
import ArgumentParser

/// `--baseline DIR --tolerance X`, shared by the benches that write ratios.json.
struct BaselineOptions: ParsableArguments {
    @Option(help: "Compare with an earlier run of the same bench (its folder or report.json); exit 1 when a ratio to its reference regressed.") var baseline: String?
    @Option(help: "Allowed regression of a ratio against the baseline (0.5 = 50% worse).") var tolerance = Baseline.defaultTolerance

    /// Nothing without `--baseline`.
    func check(_ ratios: [BenchRatio]) throws {
        if let baseline { try Baseline.check(ratios, against: baseline, tolerance: tolerance) }
    }
}

/// One figure a bench is judged by: a ratio to the bare reference measured in the same run (so
/// the machine's load cancels), or for `calls` the sustained rate over SIPp's own.
struct BenchRatio: Codable {
    var name: String
    var value: Double
    var higherIsBetter: Bool
}

/// `--baseline`: every bench writes `ratios.json` beside `report.json`; a later run compares its
/// ratios with a baseline's and exits 1 when one moved the wrong way by more than the tolerance.
/// The default tolerance (50 %) is about twice the run-to-run spread measured on this shared
/// 2-core machine (routing ratios ±15 %, tick p99 ratios 1.2-1.45, RTP ceilings one ramp step).
enum Baseline {
    static let defaultTolerance = 0.5

    static func write(_ ratios: [BenchRatio], to dir: String) throws -> String {
        try BenchReport.write(ratios, to: dir, file: "ratios.json")
    }

    /// `path`: a report folder, its report.json or its ratios.json.
    static func load(_ path: String) throws -> [BenchRatio] {
        var isDir: ObjCBool = false
        var file = path
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            file = path + "/ratios.json"
        } else if !path.hasSuffix("ratios.json") {
            file = (path as NSString).deletingLastPathComponent + "/ratios.json"
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("--baseline: no ratios.json at \(file) (give the folder of an earlier run of the same bench)")
        }
        return try JSONDecoder().decode([BenchRatio].self, from: data)
    }

    /// Prints the comparison; throws ExitCode(1) on a regression beyond `tolerance`.
    static func check(_ new: [BenchRatio], against path: String, tolerance: Double) throws {
        let old = try load(path)
        var regressions: [String] = []
        var compared = 0
        for n in new {
            guard let o = old.first(where: { $0.name == n.name }), o.value > 0, n.value > 0 else { continue }
            compared += 1
            let worse = n.higherIsBetter ? n.value < o.value / (1 + tolerance) : n.value > o.value * (1 + tolerance)
            let line = String(format: "%@: %.3g -> %.3g (%@ is better)", n.name, o.value, n.value, n.higherIsBetter ? "higher" : "lower")
            print((worse ? "REGRESSION: " : "  ") + line)
            if worse { regressions.append(line) }
        }
        guard compared > 0 else { throw ValidationError("--baseline: no ratio in common with \(path) (a different bench?)") }
        if !regressions.isEmpty { throw ExitCode(1) }
        print("no regression beyond \(Int(tolerance * 100))% against \(path)")
    }

    static func ticks(_ r: TickBenchResult) -> [BenchRatio] {
        r.points.map { BenchRatio(name: "tick p99 / bare p99 at \($0.calls) calls", value: $0.p99OverBare, higherIsBetter: false) }
    }

    static func rtp(_ r: RTPBenchResult) -> [BenchRatio] {
        var out = [BenchRatio(name: "relay packets/s / bare (\(r.relay.threads) threads)", value: r.relayOverBare, higherIsBetter: true)]
        if let one = r.relayOneThreadOverBare { out.append(BenchRatio(name: "relay packets/s / bare (1 thread)", value: one, higherIsBetter: true)) }
        if let cpu = r.relayCPUPerPacketOverBare { out.append(BenchRatio(name: "relay CPU per packet / bare", value: cpu, higherIsBetter: false)) }
        return out
    }
}
