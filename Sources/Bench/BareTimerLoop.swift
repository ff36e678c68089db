import Media
import CNIOLinux
import Glibc

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
        var heap = DeadlineHeap(capacity: schedule.calls)
        for i in 0..<schedule.calls {
            let first = origin + UInt64(schedule.phase(i)) + tick
            if first <= end { heap.push(first, call: Int32(i)) }
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
                heap.pop()
                if top.deadline >= recordFrom { recorder.record(lateNanos: Int64(now) - Int64(top.deadline)) }
                fires[Int(top.call)] += 1
                let next = top.deadline + tick
                if next <= end { heap.push(next, call: top.call) }
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

/// A binary min-heap of (deadline, call), in two flat arrays.
private struct DeadlineHeap {
    private var deadlines: [UInt64] = []
    private var calls: [Int32] = []

    init(capacity: Int) {
        deadlines.reserveCapacity(capacity)
        calls.reserveCapacity(capacity)
    }

    var min: (deadline: UInt64, call: Int32)? { deadlines.isEmpty ? nil : (deadlines[0], calls[0]) }

    mutating func push(_ deadline: UInt64, call: Int32) {
        deadlines.append(deadline)
        calls.append(call)
        var i = deadlines.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard deadlines[i] < deadlines[parent] else { break }
            deadlines.swapAt(i, parent)
            calls.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() {
        let last = deadlines.count - 1
        deadlines.swapAt(0, last)
        calls.swapAt(0, last)
        deadlines.removeLast()
        calls.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var smallest = i
            if l < deadlines.count, deadlines[l] < deadlines[smallest] { smallest = l }
            if r < deadlines.count, deadlines[r] < deadlines[smallest] { smallest = r }
            guard smallest != i else { return }
            deadlines.swapAt(i, smallest)
            calls.swapAt(i, smallest)
            i = smallest
        }
    }
}
