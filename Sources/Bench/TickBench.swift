import Foundation
import NIOCore
import NIOPosix

/// Recipe tick lateness in the engine's real timer path, beside a bare timerfd loop, in one run.
///
/// With N waiting calls, each ticking at its own phase (enqueue times spread evenly over one tick),
/// the engine path runs the `CallCenter` core on a NIO event loop exactly as `EngineDriver`
/// schedules timers (see `TickBenchEngineDriver`); the bare path is `BareTimerLoop`. Both record
/// lateness = fire time - absolute deadline into an HdrHistogram and report p50/p99/p99.9/max
/// (REFERENCE §4; target: engine p99 <= 1.2 x bare p99 at 50,000 calls). They run one after the
/// other, never together, so neither steals the other's core.
///
/// Not a test: it asserts nothing about speed (HOUSE_STYLE "a benchmark is not a test").
public struct TickBench: Sendable {
    /// Waiting calls per run.
    public var sizes: [Int]
    /// The recipe tick (the engine's default is 10 s; 1 s gives ten times the timer rate).
    public var tickLength: Duration
    /// Length of each path's run at each size.
    public var secondsPerSize: Double
    /// Ticks of each call left out of the histogram (they carry the setup's delay).
    public var warmupTicks: Int
    /// Timer slack to run each size with, ns; nil keeps the system default (50 µs). `[nil, 1_000]`
    /// also measures both paths with 1 µs (set per thread through /proc/<tid>/timerslack_ns).
    public var timerSlacks: [Int?]

    public init(
        sizes: [Int] = [1_000, 10_000, 50_000], tickLength: Duration = .seconds(1), secondsPerSize: Double = 10,
        warmupTicks: Int = 1, timerSlacks: [Int?] = [nil]
    ) {
        self.sizes = sizes
        self.tickLength = tickLength
        self.secondsPerSize = secondsPerSize
        self.warmupTicks = warmupTicks
        self.timerSlacks = timerSlacks
    }

    /// 1k, 10k and 50k calls, 1 s ticks, 10 s per path per size: about 62 s.
    public static let standard = TickBench()

    /// 100 calls, 0.2 s ticks, 1 s per path: about 2 s; for tests.
    public static let quick = TickBench(sizes: [100], tickLength: .milliseconds(200), secondsPerSize: 1)

    public enum Failure: Error, CustomStringConvertible {
        case invalidOption(String)

        public var description: String {
            switch self {
            case .invalidOption(let text): text
            }
        }
    }

    /// Runs every size (and slack setting): engine path, then bare loop. `progress` gets one line
    /// per finished size.
    public func run(progress: (String) -> Void = { _ in }) throws -> TickBenchResult {
        let tickNanos = tickLength.components.seconds * 1_000_000_000 + tickLength.components.attoseconds / 1_000_000_000
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else {
            throw Failure.invalidOption("sizes must be a non-empty list of positive call counts, got \(sizes)")
        }
        guard tickNanos >= 1_000_000 else {
            throw Failure.invalidOption("tickLength must be at least 1 ms, got \(tickLength)")
        }
        guard secondsPerSize > 0, secondsPerSize <= 600 else {
            throw Failure.invalidOption("secondsPerSize must be in (0, 600], got \(secondsPerSize)")
        }
        let started = monotonicNanos()
        let loadAtStart = BenchClock.loadAverage()
        let defaultSlack = TickBenchTimerSlack.current()
        var points: [TickBenchPoint] = []
        for slack in timerSlacks.isEmpty ? [nil] : timerSlacks {
            for calls in sizes {
                let schedule = TickSchedule(
                    calls: calls, tickNanos: tickNanos, runNanos: Int64(secondsPerSize * 1e9), warmupTicks: max(0, warmupTicks))
                let (engine, waiting) = try runEngine(schedule, slackNanos: slack)
                let bare = BareTimerLoop(schedule: schedule).run(slackNanos: slack)
                let point = TickBenchPoint(
                    calls: calls, tickSeconds: Double(tickNanos) / 1e9, runSeconds: secondsPerSize,
                    requestedTimerSlackNanos: slack, engine: engine, bare: bare, engineWaitingAtEnd: waiting)
                points.append(point)
                progress(point.line)
            }
        }
        return TickBenchResult(
            tickSeconds: Double(tickNanos) / 1e9, secondsPerSize: secondsPerSize, warmupTicks: max(0, warmupTicks),
            points: points, defaultTimerSlackNanos: defaultSlack, loadAverageAtStart: loadAtStart,
            loadAverageAtEnd: BenchClock.loadAverage(), elapsedSeconds: Double(monotonicNanos() - started) / 1e9)
    }

    /// The engine's group shape (2 threads, timers on `group.next()`), fresh for each run.
    private func runEngine(_ schedule: TickSchedule, slackNanos: Int?) throws -> (TickPathResult, Int) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let driver = try TickBenchEngineDriver(loop: loop, schedule: schedule)
        let origin = try loop.submit { driver.start(slackNanos: slackNanos) }.wait()
        let end = origin + .nanoseconds(schedule.runNanos)
        // Sleep to the end of the run, then wait (at most 5 s) for the last ticks to fire.
        let remaining = (end - NIODeadline.now()).nanoseconds
        if remaining > 0 { BenchClock.sleep(untilMonotonic: monotonicNanos() + UInt64(remaining)) }
        for _ in 0..<500 {
            if try loop.submit({ driver.armed }).wait() == 0 { break }
            usleep(10_000)
        }
        return try loop.submit { driver.finish() }.wait()
    }
}
