import CallCenter
import NIOCore
import Engine

/// Who ticks when: call i enqueues at `phase(i)` (spread evenly over one tick) and ticks at
/// `phase(i) + k * tick`, k = 1, 2, ..., for deadlines within the run.
struct TickSchedule: Sendable {
    let calls: Int
    let tickNanos: Int64
    let runNanos: Int64
    let warmupTicks: Int

    func phase(_ i: Int) -> Int64 { tickNanos * Int64(i) / Int64(calls) }

    func expectedFires(_ i: Int) -> Int {
        runNanos < phase(i) + tickNanos ? 0 : Int((runNanos - phase(i)) / tickNanos)
    }

    var expectedFires: Int { (0..<calls).reduce(0) { $0 + expectedFires($1) } }

    /// Deadlines (from the origin) before this belong to the warm-up ticks and are not recorded:
    /// they carry the setup's own delay.
    var recordFrom: Int64 { tickNanos * Int64(1 + warmupTicks) }

    func maxCountError(_ fires: [Int]) -> Int {
        (0..<calls).reduce(0) { max($0, abs(fires[$1] - expectedFires($1))) }
    }
}

/// The engine's timer path for recipe ticks, as `EngineDriver` runs it: the `CallCenter` core
/// returns `.startTimer(.recipeTick(call), at:)`, the driver turns `at` into a `NIODeadline` from
/// its origin and calls `loop.scheduleTask(deadline:)`, keeping the `Scheduled` in a dictionary by
/// timer id; on fire it drops the entry and feeds `.timerFired` back with `now` read from the
/// clock, and the core re-arms the next tick (`enqueuedAt + k * tickLength`).
///
/// The one addition is the probe: the task's first statement records `now - deadline`.
/// Only touched on `loop`.
final class TickBenchEngineDriver: @unchecked Sendable {
    let loop: any EventLoop
    private let schedule: TickSchedule
    private var core: CallCenter
    private var timers: LoopTimers<TimerID>!
    private var origin = NIODeadline.now()
    private var end = NIODeadline.now()
    private let ids: [CallID]
    private var index: [CallID: Int] = [:]
    private var fires: [Int]
    private var recorder = TickLatenessRecorder()
    private var cpuStart: UInt64 = 0
    private var setupNanos: Int64 = 0
    private var slack: Int?

    /// One queue whose recipe runs on every tick (`ticks: 1`, `set_priority 1`, run_many), no
    /// default recipe and no agents: every call waits and ticks for the whole run.
    static func config(tickNanos: Int64) -> CallCenterConfig {
        CallCenterConfig(
            tickLength: .nanoseconds(tickNanos), defaultRecipe: [],
            queues: [QueueConfig(name: "bench", recipe: [
                RecipeStep(conditions: [.ticks(1)], operations: [.setPriority(1)], runMode: .runMany,
                           comment: "cheap work on every tick")
            ])])
    }

    init(loop: any EventLoop, schedule: TickSchedule) throws {
        self.loop = loop
        self.schedule = schedule
        core = try CallCenter(config: Self.config(tickNanos: schedule.tickNanos))
        ids = (0..<schedule.calls).map { "tick-call-\($0)" }
        fires = Array(repeating: 0, count: schedule.calls)
        for (i, id) in ids.enumerated() { index[id] = i }
        // The engine's own timer path (EngineDriver uses the same LoopTimers).
        timers = LoopTimers(loop: loop) { [unowned self] id, deadline in
            fired(id, deadline: deadline)
            feed(.timerFired(id))
        }
    }

    /// On `loop`: sets the thread's timer slack (nil: leave it), then enqueues every call at its
    /// phase, which arms each call's first tick. Returns the origin of the run.
    func start(slackNanos: Int?) -> NIODeadline {
        loop.preconditionInEventLoop()
        slack = slackNanos.map { TickBenchTimerSlack.set(nanoseconds: $0) } ?? TickBenchTimerSlack.current()
        cpuStart = BenchClock.threadCPUNanos()
        origin = NIODeadline.now()
        end = origin + .nanoseconds(schedule.runNanos)
        for (i, id) in ids.enumerated() {
            let arrived = CallCenterEvent.callArrived(
                id, queue: "bench", caller: CallerInfo(id: "\(1_000_000 + i)"), media: .voice, priority: 1)
            perform(core.handle(arrived, now: .nanoseconds(schedule.phase(i))))
        }
        setupNanos = (NIODeadline.now() - origin).nanoseconds
        return origin
    }

    /// Timers still armed (0 once the last tick of the run has fired).
    var armed: Int { timers.count }

    /// On `loop`: cancels what is left and reports.
    func finish() -> (TickPathResult, waiting: Int) {
        loop.preconditionInEventLoop()
        timers.cancelAll()
        let cpu = BenchClock.threadCPUNanos() - cpuStart
        let elapsed = Double((NIODeadline.now() - origin).nanoseconds)
        let result = TickPathResult(
            lateness: recorder.summary, fires: fires.reduce(0, +), expectedFires: schedule.expectedFires,
            maxFireCountError: schedule.maxCountError(fires), earlyFires: recorder.early,
            cpuPercentOfCore: Double(cpu) / elapsed * 100, timerSlackNanos: slack,
            setupSeconds: Double(setupNanos) / 1e9)
        return (result, core.waitingCallCount)
    }

    private var now: Duration { .nanoseconds((NIODeadline.now() - origin).nanoseconds) }

    private func feed(_ event: CallCenterEvent) {
        perform(core.handle(event, now: now))
    }

    private func perform(_ actions: [CallCenterAction]) {
        for action in actions {
            switch action {
            case .startTimer(let id, let at):
                let deadline = origin + .nanoseconds(Int64(at.components.seconds) * 1_000_000_000 + at.components.attoseconds / 1_000_000_000)
                guard deadline <= end else { timers.cancel(id); continue }  // the run is over by then
                timers.schedule(id, at: deadline)
            case .cancelTimer(let id):
                timers.cancel(id)
            default:
                break  // no agents: nothing rings, bridges or ends during the run
            }
        }
    }

    private func fired(_ id: TimerID, deadline: NIODeadline) {
        let late = (NIODeadline.now() - deadline).nanoseconds
        if (deadline - origin).nanoseconds >= schedule.recordFrom { recorder.record(lateNanos: late) }
        if case .recipeTick(let call) = id, let i = index[call] { fires[i] += 1 }
    }
}
