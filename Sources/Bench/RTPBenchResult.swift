import Foundation

/// The options a run used, stored with its results.
public struct RTPBenchSettings: Codable, Sendable, Equatable {
    public var steps: [Int]
    public var secondsPerStep: Double
    public var maxCalls: Int
    public var threads: Int
    public var lossLimit: Double
    public var jitterLimitMillis: Double

    init(_ bench: RTPBench) {
        steps = bench.steps
        secondsPerStep = bench.secondsPerStep
        maxCalls = bench.maxCalls
        threads = bench.threads
        lossLimit = bench.lossLimit
        jitterLimitMillis = bench.jitterLimitMillis
    }
}

/// One step of a ramp: N calls for a few seconds.
public struct RTPBenchStep: Codable, Sendable, Equatable {
    public var calls: Int
    /// 100 packets/s per call into the relay (50 per leg).
    public var offeredPacketsPerSecond: Double
    /// Packets that came back through the relay per second of load.
    public var relayedPacketsPerSecond: Double
    /// The relay's own count over the step (`RTPRelay.packetsRelayed`, or the bare relay's).
    public var relayCounter: Int
    public var lossRatio: Double
    public var meanJitterMillis: Double
    public var maxJitterMillis: Double
    /// Process CPU over the step minus the generator's threads, per second of load, in % of one core.
    public var relayCPUPercentOfCore: Double
    /// `relayCPUPercentOfCore` per 10,000 relayed packets/s.
    public var relayCPUPercentPer10kPPS: Double
    public var generatorCPUPercentOfCore: Double
    public var passed: Bool
    public var load: RTPLoadReport

    init(load: RTPLoadReport, relayCounter: Int, processCPUSeconds: Double, lossLimit: Double, jitterLimitMillis: Double) {
        calls = load.calls
        // The scheduled length of the load (whole 20 ms frames), not the time to the last send.
        let seconds = Double(load.packetsPerStream) * 0.02
        offeredPacketsPerSecond = Double(load.streams) * 50
        relayedPacketsPerSecond = Double(load.packetsReceived) / seconds
        self.relayCounter = relayCounter
        lossRatio = load.lossRatio
        meanJitterMillis = load.meanJitterMillis
        maxJitterMillis = load.maxJitterMillis
        relayCPUPercentOfCore = max(0, processCPUSeconds - load.generatorCPUSeconds) / seconds * 100
        relayCPUPercentPer10kPPS = relayedPacketsPerSecond > 0 ? relayCPUPercentOfCore / (relayedPacketsPerSecond / 10_000) : 0
        generatorCPUPercentOfCore = load.generatorCPUSeconds / seconds * 100
        passed = load.lossRatio <= lossLimit && load.meanJitterMillis <= jitterLimitMillis && load.packetsReceived > 0
        self.load = load
    }

    func line(name: String) -> String {
        String(format: "%@ %5d calls: %7.0f pps relayed, loss %.3f%%, jitter %.3f ms (max %.2f), relay %.0f%% core, generator %.0f%% core%@",
               name, calls, relayedPacketsPerSecond, lossRatio * 100, meanJitterMillis, maxJitterMillis,
               relayCPUPercentOfCore, generatorCPUPercentOfCore, passed ? "" : "  <- over the limit")
    }
}

/// One relay's ramp and its ceiling.
public struct RTPBenchRamp: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case bare, relay }
    public var name: String
    public var kind: Kind
    public var threads: Int
    public var steps: [RTPBenchStep]
    /// The largest step that passed (0: none did).
    public var maxCalls: Int
    /// Relayed packets/s at that step.
    public var ceilingPacketsPerSecond: Double
    /// CPU (% of a core) per 10k packets/s at that step.
    public var cpuPercentPer10kPPS: Double
    /// Every step passed: the real ceiling is higher than the ramp went.
    public var reachedLastStep: Bool
    /// Why the ramp stopped, in words.
    public var stoppedBy: String

    init(name: String, kind: Kind, threads: Int, steps: [RTPBenchStep], lastStep: Int) {
        self.name = name
        self.kind = kind
        self.threads = threads
        self.steps = steps
        let best = steps.last(where: \.passed)
        maxCalls = best?.calls ?? 0
        ceilingPacketsPerSecond = best?.relayedPacketsPerSecond ?? 0
        cpuPercentPer10kPPS = best?.relayCPUPercentPer10kPPS ?? 0
        reachedLastStep = steps.allSatisfy(\.passed) && steps.last?.calls == lastStep
        if let failed = steps.first(where: { !$0.passed }) {
            stoppedBy = String(format: "at %d calls: loss %.3f%%, mean jitter %.3f ms", failed.calls,
                               failed.lossRatio * 100, failed.meanJitterMillis)
        } else {
            stoppedBy = "passed the last step (\(lastStep) calls): the ceiling is higher"
        }
    }

    var label: String { "\(name) (\(threads) thread\(threads == 1 ? "" : "s"))" }

    func step(calls: Int) -> RTPBenchStep? { steps.first { $0.calls == calls } }
}

/// The whole run: the bare ramp, the relay's ramp on the engine's thread count, and (optionally)
/// on one thread, with the ratios the targets are stated in.
public struct RTPBenchResult: Codable, Sendable, Equatable {
    public var settings: RTPBenchSettings
    public var bare: RTPBenchRamp
    public var relay: RTPBenchRamp
    public var relayOneThread: RTPBenchRamp?
    /// Ceiling packets/s of the relay on `threads` over the bare relay's.
    public var relayOverBare: Double
    /// The same on one event loop thread (target >= 0.8).
    public var relayOneThreadOverBare: Double?
    /// Relay CPU per packet over bare CPU per packet at the largest step both passed (finer than
    /// the ceilings, which the step sizes quantize).
    public var relayCPUPerPacketOverBare: Double?
    public var relayOneThreadCPUPerPacketOverBare: Double?
    public var loadAverageAtStart: [Double]
    public var loadAverageAtEnd: [Double]
    public var elapsedSeconds: Double

    init(
        settings: RTPBenchSettings, bare: RTPBenchRamp, relay: RTPBenchRamp, relayOneThread: RTPBenchRamp?,
        loadAverageAtStart: [Double], loadAverageAtEnd: [Double], elapsedSeconds: Double
    ) {
        self.settings = settings
        self.bare = bare
        self.relay = relay
        self.relayOneThread = relayOneThread
        func over(_ a: Double, _ b: Double) -> Double { b == 0 ? 0 : a / b }
        relayOverBare = over(relay.ceilingPacketsPerSecond, bare.ceilingPacketsPerSecond)
        relayOneThreadOverBare = relayOneThread.map { over($0.ceilingPacketsPerSecond, bare.ceilingPacketsPerSecond) }
        func cpuRatio(_ r: RTPBenchRamp) -> Double? {
            guard let calls = r.steps.filter(\.passed).map(\.calls).filter({ bare.step(calls: $0)?.passed == true }).max(),
                let a = r.step(calls: calls), let b = bare.step(calls: calls), b.relayCPUPercentPer10kPPS > 0
            else { return nil }
            return a.relayCPUPercentPer10kPPS / b.relayCPUPercentPer10kPPS
        }
        relayCPUPerPacketOverBare = cpuRatio(relay)
        relayOneThreadCPUPerPacketOverBare = relayOneThread.flatMap(cpuRatio)
        self.loadAverageAtStart = loadAverageAtStart
        self.loadAverageAtEnd = loadAverageAtEnd
        self.elapsedSeconds = elapsedSeconds
    }

    var ramps: [RTPBenchRamp] {
        [bare] + (relayOneThread.map { $0.threads == relay.threads ? [] : [$0] } ?? []) + [relay]
    }

    /// Every step of every ramp, then the ceilings and the ratios.
    public func textTable() -> String {
        var out: [String] = []
        let load = { (l: [Double]) in l.map { String(format: "%.2f", $0) }.joined(separator: " ") }
        out.append(String(format: "RTP relay bench: G.711 20 ms on both legs of every call, %.1f s per step; a step passes at loss <= %.2f%% and mean added jitter <= %.1f ms",
                          settings.secondsPerStep, settings.lossLimit * 100, settings.jitterLimitMillis))
        out.append("load average at start \(load(loadAverageAtStart)), at end \(load(loadAverageAtEnd)); \(String(format: "%.0f", elapsedSeconds)) s")
        out.append("")
        out.append(left("relay", 28) + right("calls", 6) + right("offered pps", 13) + right("relayed pps", 13) + right("loss %", 9)
            + right("jitter ms", 11) + right("max ms", 8) + right("relay %core", 13) + right("%core/10k pps", 15) + right("gen %core", 11) + "  ok")
        for r in ramps {
            for s in r.steps {
                out.append(left(r.label, 28) + right("\(s.calls)", 6) + right(f0(s.offeredPacketsPerSecond), 13) + right(f0(s.relayedPacketsPerSecond), 13)
                    + right(String(format: "%.3f", s.lossRatio * 100), 9) + right(String(format: "%.3f", s.meanJitterMillis), 11)
                    + right(String(format: "%.2f", s.maxJitterMillis), 8) + right(f0(s.relayCPUPercentOfCore), 13)
                    + right(String(format: "%.1f", s.relayCPUPercentPer10kPPS), 15) + right(f0(s.generatorCPUPercentOfCore), 11)
                    + (s.passed ? "  yes" : "  NO"))
            }
        }
        out.append("")
        out.append("Ceilings (largest passing step):")
        for r in ramps {
            out.append("  " + left(r.label, 26) + String(format: "%5d calls, %7.0f pps, %.1f %%core per 10k pps; ", r.maxCalls, r.ceilingPacketsPerSecond, r.cpuPercentPer10kPPS) + r.stoppedBy)
        }
        out.append(String(format: "relay/bare packets/s at the ceiling: %@ %.2f", relay.label, relayOverBare)
            + (relayOneThreadOverBare.map { String(format: "; on one core (1 thread) %.2f (target >= 0.80)", $0) } ?? ""))
        if let r = relayCPUPerPacketOverBare {
            out.append(String(format: "relay CPU per packet / bare CPU per packet: %@ %.2f", relay.label, r)
                + (relayOneThreadCPUPerPacketOverBare.map { String(format: "; 1 thread %.2f", $0) } ?? ""))
        }
        out.append("target: >= 1,000 bridged calls at < 0.1% loss with the engine's \(relay.threads) threads: "
            + (relay.maxCalls >= 1_000 ? "met" : "not met") + " (\(relay.maxCalls)\(relay.reachedLastStep ? "+" : ""))")
        return out.joined(separator: "\n")
    }
}

private func left(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func right(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
private func f0(_ x: Double) -> String { String(format: "%.0f", x) }
