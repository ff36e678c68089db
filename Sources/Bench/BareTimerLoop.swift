import CNIOLinux
import Glibc
import Media
import Primitives

/// The tick bench's bare reference: the plainest timer loop, one thread, one timerfd
/// (`CLOCK_MONOTONIC`, armed with `TFD_TIMER_ABSTIME` to the earliest deadline), epoll, and a
/// binary min-heap of absolute deadlines. Each fire records its lateness and pushes the call's
/// next deadline (`previous + tick`: the same absolute schedule as the engine's ticks).
struct BareTimerLoop {
    let schedule: TickSchedule

    /// Runs the schedule on a thread of its own and waits for it (bounded by the run's length
    /// plus however late the last fire is).
    func run(slackNanos: Int?) -> TickPathResult {
        let box = ResultBox()
        let schedule = self.schedule
        BenchThread(name: "bare-timers") { box.result = Self.loop(schedule, slackNanos: slackNanos) }.join()
        return box.result!
    }

    private final class ResultBox: @unchecked Sendable { var result: TickPathResult? }

    private static func loop(_ schedule: TickSchedule, slackNanos: Int?) -> TickPathResult {
        let slack = slackNanos.map { TickBenchTimerSlack.set(nanoseconds: $0) } ?? TickBenchTimerSlack.current()
        let timer = timerfd_create(CLOCK_MONOTONIC, LinuxABI.tfdNonblock | LinuxABI.tfdCloexec)
        let epoll = epoll_create1(LinuxABI.epollCloexec)
        defer {
            Glibc.close(timer)
            Glibc.close(epoll)
        }
        var event = epoll_event()
        event.events = LinuxABI.epollIn
        event.data.fd = timer
        _ = epoll_ctl(epoll, LinuxABI.epollCtlAdd, timer, &event)

        var recorder = TickLatenessRecorder()
        var fires = Array(repeating: 0, count: schedule.calls)
        let cpuStart = BenchClock.threadCPUNanos()
        let origin = monotonicNanos()
        let tick = UInt64(schedule.tickNanos)
        let end = origin + UInt64(schedule.runNanos)
        let recordFrom = origin + UInt64(schedule.recordFrom)
        var heap = BinaryHeap<CallDeadline>(capacity: schedule.calls)
        for i in 0..<schedule.calls {
            let first = origin + UInt64(schedule.phase(i)) + tick
            if first <= end { heap.insert(CallDeadline(deadline: first, call: Int32(i))) }
        }
        let setup = monotonicNanos() - origin

        var events = [epoll_event](repeating: epoll_event(), count: 1)
        while let earliest = heap.min {
            var spec = itimerspec()
            spec.it_value = timespec(tv_sec: Int(earliest.deadline / 1_000_000_000), tv_nsec: Int(earliest.deadline % 1_000_000_000))
            _ = timerfd_settime(timer, LinuxABI.tfdTimerAbstime, &spec, nil)
            _ = epoll_wait(epoll, &events, 1, 1_000)
            var expirations: UInt64 = 0
            _ = read(timer, &expirations, 8)
            while let top = heap.min {
                let now = monotonicNanos()
                guard top.deadline <= now else { break }
                heap.popMin()
                if top.deadline >= recordFrom { recorder.record(lateNanos: Int64(now) - Int64(top.deadline)) }
                fires[Int(top.call)] += 1
                let next = top.deadline + tick
                if next <= end { heap.insert(CallDeadline(deadline: next, call: top.call)) }
            }
        }
        let elapsed = Double(monotonicNanos() - origin)
        return TickPathResult(
            lateness: recorder.summary, fires: fires.reduce(0, +), expectedFires: schedule.expectedFires,
            maxFireCountError: schedule.maxCountError(fires), earlyFires: recorder.early,
            cpuPercentOfCore: Double(BenchClock.threadCPUNanos() - cpuStart) / elapsed * 100,
            timerSlackNanos: slack, setupSeconds: Double(setup) / 1e9)
    }
}

/// A call's next deadline, ordered by deadline (ties by call, so the order never depends on insertion).
struct CallDeadline: Comparable {
    var deadline: UInt64
    var call: Int32
    static func < (a: CallDeadline, b: CallDeadline) -> Bool { (a.deadline, a.call) < (b.deadline, b.call) }
}
