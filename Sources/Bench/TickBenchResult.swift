import Foundation
import Histogram

/// Timer lateness (fire time - absolute deadline) as p50/p99/p99.9/max in microseconds
/// (REFERENCE §4: never only a mean).
public struct TickLateness: Codable, Sendable, Equatable {
    /// Fires recorded (the warm-up round is not).
    public var count: UInt64
    public var p50Micros: Double
    public var p99Micros: Double
    public var p999Micros: Double
    public var maxMicros: Double
    public var meanMicros: Double
}

/// Lateness in nanoseconds into an HdrHistogram (3 significant digits, up to 60 s).
struct TickLatenessRecorder {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
    private var total: Double = 0
    /// Fires that came before their deadline (recorded as 0 late; expected never).
    private(set) var early = 0

    mutating func record(lateNanos: Int64) {
        if lateNanos < 0 { early += 1 }
        let v = UInt64(max(1, lateNanos))
        histogram.record(v)
        total += Double(v)
    }

    var summary: TickLateness {
        let n = histogram.totalCount
        return TickLateness(
            count: n,
            p50Micros: Double(histogram.valueAtPercentile(50)) / 1e3,
            p99Micros: Double(histogram.valueAtPercentile(99)) / 1e3,
            p999Micros: Double(histogram.valueAtPercentile(99.9)) / 1e3,
            maxMicros: Double(n == 0 ? 0 : histogram.max) / 1e3,
            meanMicros: n == 0 ? 0 : total / Double(n) / 1e3)
    }
}

/// One timer path (the engine's, or the bare loop) at one population.
public struct TickPathResult: Codable, Sendable, Equatable {
    public var lateness: TickLateness
    /// Every fire, warm-up included.
    public var fires: Int
    public var expectedFires: Int
    /// The largest |fires - expected| of any one call (0 or 1 when every tick came).
    public var maxFireCountError: Int
    public var earlyFires: Int
    /// CPU of the thread that ran the timers, over the run, in % of one core.
    public var cpuPercentOfCore: Double
    /// The timer thread's slack while it ran (ns), read back from the kernel.
    public var timerSlackNanos: Int?
    /// Time to enqueue every call and arm its first tick.
    public var setupSeconds: Double
}

/// Both paths at one population.
public struct TickBenchPoint: Codable, Sendable, Equatable {
    public var calls: Int
    public var tickSeconds: Double
    public var runSeconds: Double
    /// nil: the system default was left alone.
    public var requestedTimerSlackNanos: Int?
    public var engine: TickPathResult
    public var bare: TickPathResult
    /// Calls still waiting in the core at the end (should be `calls`: no agent takes them).
    public var engineWaitingAtEnd: Int
    /// Engine p99 over bare p99 (target <= 1.2 at 50,000 calls).
    public var p99OverBare: Double { bare.lateness.p99Micros == 0 ? 0 : engine.lateness.p99Micros / bare.lateness.p99Micros }

    enum CodingKeys: String, CodingKey {
        case calls, tickSeconds, runSeconds, requestedTimerSlackNanos, engine, bare, engineWaitingAtEnd, p99OverBare
    }

    init(calls: Int, tickSeconds: Double, runSeconds: Double, requestedTimerSlackNanos: Int?,
         engine: TickPathResult, bare: TickPathResult, engineWaitingAtEnd: Int) {
        self.calls = calls
        self.tickSeconds = tickSeconds
        self.runSeconds = runSeconds
        self.requestedTimerSlackNanos = requestedTimerSlackNanos
        self.engine = engine
        self.bare = bare
        self.engineWaitingAtEnd = engineWaitingAtEnd
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calls = try c.decode(Int.self, forKey: .calls)
        tickSeconds = try c.decode(Double.self, forKey: .tickSeconds)
        runSeconds = try c.decode(Double.self, forKey: .runSeconds)
        requestedTimerSlackNanos = try c.decodeIfPresent(Int.self, forKey: .requestedTimerSlackNanos)
        engine = try c.decode(TickPathResult.self, forKey: .engine)
        bare = try c.decode(TickPathResult.self, forKey: .bare)
        engineWaitingAtEnd = try c.decode(Int.self, forKey: .engineWaitingAtEnd)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(calls, forKey: .calls)
        try c.encode(tickSeconds, forKey: .tickSeconds)
        try c.encode(runSeconds, forKey: .runSeconds)
        try c.encodeIfPresent(requestedTimerSlackNanos, forKey: .requestedTimerSlackNanos)
        try c.encode(engine, forKey: .engine)
        try c.encode(bare, forKey: .bare)
        try c.encode(engineWaitingAtEnd, forKey: .engineWaitingAtEnd)
        try c.encode(p99OverBare, forKey: .p99OverBare)
    }

    var slackLabel: String {
        guard let ns = engine.timerSlackNanos ?? requestedTimerSlackNanos else { return "?" }
        return ns >= 1_000 ? "\(ns / 1_000) µs" : "\(ns) ns"
    }

    var line: String {
        String(format: "%6d calls, slack %@: engine p50 %.0f p99 %.0f p99.9 %.0f max %.0f µs; bare p50 %.0f p99 %.0f p99.9 %.0f max %.0f µs; p99 ratio %.2f",
               calls, slackLabel, engine.lateness.p50Micros, engine.lateness.p99Micros, engine.lateness.p999Micros,
               engine.lateness.maxMicros, bare.lateness.p50Micros, bare.lateness.p99Micros, bare.lateness.p999Micros,
               bare.lateness.maxMicros, p99OverBare)
    }
}

/// The whole tick bench.
public struct TickBenchResult: Codable, Sendable, Equatable {
    public var tickSeconds: Double
    public var secondsPerSize: Double
    public var warmupTicks: Int
    public var points: [TickBenchPoint]
    /// The system's default slack as read on the bench's thread (REFERENCE §4: 50 µs).
    public var defaultTimerSlackNanos: Int?
    public var loadAverageAtStart: [Double]
    public var loadAverageAtEnd: [Double]
    public var elapsedSeconds: Double

    /// p50/p99/p99.9/max for both paths at every size, and the p99 ratio.
    public func textTable() -> String {
        let load = { (l: [Double]) in l.map { String(format: "%.2f", $0) }.joined(separator: " ") }
        var out: [String] = []
        out.append(String(format: "Recipe tick lateness (fire - absolute deadline), tick %.2f s, %.0f s per size, first %d tick(s) of each call not recorded",
                          tickSeconds, secondsPerSize, warmupTicks))
        out.append("engine: CallCenter core + NIO EventLoop.scheduleTask(deadline:) as EngineDriver; bare: timerfd (TFD_TIMER_ABSTIME) + epoll + min-heap, one thread")
        out.append("default timer slack \(defaultTimerSlackNanos.map { "\($0) ns" } ?? "unknown"); load average at start \(load(loadAverageAtStart)), at end \(load(loadAverageAtEnd)); \(String(format: "%.0f", elapsedSeconds)) s")
        out.append("")
        out.append(left("calls", 8) + left("slack", 9) + left("path", 8) + right("fires", 9) + right("p50 µs", 10) + right("p99 µs", 10)
            + right("p99.9 µs", 10) + right("max µs", 10) + right("%core", 7) + right("count err", 10) + right("p99/bare", 10))
        for p in points {
            for (name, r) in [("engine", p.engine), ("bare", p.bare)] {
                out.append(left("\(p.calls)", 8) + left(p.slackLabel, 9) + left(name, 8) + right("\(r.fires)", 9)
                    + right(f(r.lateness.p50Micros), 10) + right(f(r.lateness.p99Micros), 10) + right(f(r.lateness.p999Micros), 10)
                    + right(f(r.lateness.maxMicros), 10) + right(String(format: "%.1f", r.cpuPercentOfCore), 7)
                    + right("\(r.maxFireCountError)", 10) + right(name == "engine" ? String(format: "%.2f", p.p99OverBare) : "", 10))
            }
        }
        if let big = points.filter({ $0.requestedTimerSlackNanos == nil }).max(by: { $0.calls < $1.calls }) {
            out.append("")
            out.append(String(format: "target: engine p99 <= 1.2 x bare p99 at %d calls: %.2f, %@", big.calls, big.p99OverBare,
                              big.p99OverBare <= 1.2 ? "met" : "not met"))
        }
        return out.joined(separator: "\n")
    }
}

private func left(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func right(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
private func f(_ x: Double) -> String { String(format: "%.0f", x) }
