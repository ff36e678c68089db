/// RTP bridging throughput of the engine's relay (`Media.RTPRelay`) beside a bare one-thread
/// relay, through the same load generator and the same ramp, in one run (REFERENCE §4: every
/// measure beside a bare reference; targets: relay >= 0.8 x bare on one core, >= 1,000 bridged
/// G.711 calls on this 2-core machine at < 0.1% loss).
///
/// Each ramp adds calls step by step (calls stay open from one step to the next), sends G.711 on
/// both legs of every call for `secondsPerStep`, and stops at the first step whose loss exceeds
/// `lossLimit` or whose mean added jitter exceeds `jitterLimitMillis`. Everything binds and sends
/// on 127.0.0.1; every step is bounded in packets and time.
///
/// Not a test: it asserts nothing about speed (HOUSE_STYLE "a benchmark is not a test").
public struct RTPBench: Sendable {
    /// Calls per step, in increasing order; steps above `maxCalls` are skipped.
    public var steps: [Int]
    public var secondsPerStep: Double
    public var maxCalls: Int
    /// Event loop threads of the relay under test; the engine uses 2.
    public var threads: Int
    /// Also ramp the relay on one event loop thread: the "relay vs bare on one core" figure.
    public var compareOneThread: Bool
    /// Local UDP ports the relays bind (below the kernel's ephemeral range and the engine's
    /// default 20000-29999, so a running engine or its tests do not collide).
    public var ports: ClosedRange<Int>
    /// Highest loss ratio a step may have and still pass (0.001 = 0.1%).
    public var lossLimit: Double
    /// Highest mean added jitter (RFC 3550, ms) a step may have and still pass.
    public var jitterLimitMillis: Double
    /// How long the generator keeps receiving after its last packet.
    public var drainSeconds: Double

    public static let defaultSteps = [100, 250, 500, 750, 1_000, 1_250, 1_500, 2_000, 2_500, 3_000]

    public init(
        steps: [Int] = RTPBench.defaultSteps, secondsPerStep: Double = 2.5, maxCalls: Int = 3_000,
        threads: Int = 2, compareOneThread: Bool = true, ports: ClosedRange<Int> = 12_000...19_999,
        lossLimit: Double = 0.001, jitterLimitMillis: Double = 1, drainSeconds: Double = 0.3
    ) {
        self.steps = steps
        self.secondsPerStep = secondsPerStep
        self.maxCalls = maxCalls
        self.threads = threads
        self.compareOneThread = compareOneThread
        self.ports = ports
        self.lossLimit = lossLimit
        self.jitterLimitMillis = jitterLimitMillis
        self.drainSeconds = drainSeconds
    }

    /// Up to 10 steps of 2.5 s for three ramps (bare, relay on 1 thread, relay on 2): at most
    /// about 95 s; less when the ramps stop early (they do, on this 2-core machine).
    public static let standard = RTPBench()

    /// 10 calls for half a second through the bare relay and the engine's relay: about 2 s; for tests.
    public static let quick = RTPBench(
        steps: [10], secondsPerStep: 0.5, maxCalls: 10, compareOneThread: false, drainSeconds: 0.2)

    /// Runs the ramps in order: bare, relay on one thread (when asked), relay on `threads`.
    /// `progress` gets one line per finished step.
    public func run(progress: (String) -> Void = { _ in }) throws(RTPBenchError) -> RTPBenchResult {
        try validate()
        let started = monotonicNanos()
        let loadAtStart = BenchClock.loadAverage()
        let generator = try RTPLoadGenerator()
        defer { generator.close() }
        let (callerSide, agentSide) = (generator.callerSidePort, generator.agentSidePort)

        let bare = try ramp(
            name: "bare relay", kind: .bare, threads: 1, generator: generator, progress: progress,
            target: BareRelayTarget(callerPeerPort: callerSide, agentPeerPort: agentSide))
        var oneThread: RTPBenchRamp?
        if compareOneThread && threads != 1 {
            oneThread = try ramp(
                name: "RTPRelay", kind: .relay, threads: 1, generator: generator, progress: progress,
                target: EngineRelayTarget(threads: 1, callerPeerPort: callerSide, agentPeerPort: agentSide))
        }
        let relay = try ramp(
            name: "RTPRelay", kind: .relay, threads: threads, generator: generator, progress: progress,
            target: EngineRelayTarget(threads: threads, callerPeerPort: callerSide, agentPeerPort: agentSide))
        return RTPBenchResult(
            settings: RTPBenchSettings(self), bare: bare, relay: relay,
            relayOneThread: threads == 1 ? relay : oneThread,
            loadAverageAtStart: loadAtStart, loadAverageAtEnd: BenchClock.loadAverage(),
            elapsedSeconds: Double(monotonicNanos() - started) / 1e9)
    }

    private func validate() throws(RTPBenchError) {
        guard !steps.isEmpty, steps.allSatisfy({ $0 > 0 }) else {
            throw .invalidOption("steps must be a non-empty list of positive call counts, got \(steps)")
        }
        guard steps.contains(where: { $0 <= maxCalls }) else {
            throw .invalidOption("no step is at or below maxCalls \(maxCalls): lower a step or raise maxCalls")
        }
        guard threads >= 1 else { throw .invalidOption("threads must be at least 1, got \(threads)") }
        guard secondsPerStep > 0, secondsPerStep <= 60 else {
            throw .invalidOption("secondsPerStep must be in (0, 60], got \(secondsPerStep)")
        }
        let largest = steps.filter { $0 <= maxCalls }.max()!
        guard largest * 2 <= ports.count else {
            throw .invalidOption(
                "\(largest) calls need \(largest * 2) ports but ports \(ports) has \(ports.count): widen the range or lower maxCalls")
        }
    }

    private func ramp(
        name: String, kind: RTPBenchRamp.Kind, threads: Int, generator: RTPLoadGenerator,
        progress: (String) -> Void, target: some RTPBenchTarget
    ) throws(RTPBenchError) -> RTPBenchRamp {
        defer { target.shutDown() }
        var scanner = RTPBenchPortScanner(range: ports)
        var results: [RTPBenchStep] = []
        for calls in steps.filter({ $0 <= maxCalls }).sorted() {
            try target.grow(to: calls, ports: &scanner)
            let relayedBefore = target.packetsRelayed
            let cpuBefore = BenchClock.processCPUNanos()
            target.stepWillStart(seconds: secondsPerStep + drainSeconds)
            let load = generator.run(calls: target.calls, seconds: secondsPerStep, drainSeconds: drainSeconds)
            target.stepDidEnd()
            let step = RTPBenchStep(
                load: load, relayCounter: target.packetsRelayed - relayedBefore,
                processCPUSeconds: Double(BenchClock.processCPUNanos() - cpuBefore) / 1e9,
                lossLimit: lossLimit, jitterLimitMillis: jitterLimitMillis)
            results.append(step)
            progress(step.line(name: "\(name) (\(threads) thread\(threads == 1 ? "" : "s"))"))
            if !step.passed { break }
        }
        return RTPBenchRamp(name: name, kind: kind, threads: threads, steps: results,
                            lastStep: steps.filter { $0 <= maxCalls }.max() ?? 0)
    }
}
