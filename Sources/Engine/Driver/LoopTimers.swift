import NIOCore

/// All of a driver's timers on one event loop, behind ONE armed NIO task: a min-heap of
/// deadlines, the earliest armed, due ones fired in deadline order (the "driver re-arms one timer"
/// model of aioquic). With 50,000 recipe tickers, one NIO scheduled task per timer made NIO's own
/// heap of tasks the main cost of a tick (ccbench ticks); here a re-arm is a heap push.
/// Replaced and cancelled timers are dropped lazily (a sequence number per id).
/// Only touched on `loop`.
public final class LoopTimers<ID: Hashable>: @unchecked Sendable {
    private struct Entry { var deadline: NIODeadline; var seq: UInt64; var id: ID }
    private let loop: any EventLoop
    private let fire: (ID, NIODeadline) -> Void
    private var heap: [Entry] = []
    private var live: [ID: UInt64] = [:]
    private var seq: UInt64 = 0
    private var armed: (task: Scheduled<Void>, deadline: NIODeadline)?

    /// `fire(id, deadline)` runs on `loop` at or after the deadline.
    public init(loop: any EventLoop, fire: @escaping (ID, NIODeadline) -> Void) {
        self.loop = loop
        self.fire = fire
    }

    public var count: Int { live.count }

    /// Arms `id` at `deadline`, replacing an earlier arming of the same id.
    public func schedule(_ id: ID, at deadline: NIODeadline) {
        seq &+= 1
        live[id] = seq
        push(Entry(deadline: deadline, seq: seq, id: id))
        if heap.count > 2 * live.count + 1024 { compact() }
        rearm()
    }

    public func cancel(_ id: ID) {
        live[id] = nil
    }

    public func cancelAll() {
        live = [:]
        heap = []
        armed?.task.cancel()
        armed = nil
    }

    private func rearm() {
        while let top = heap.first, live[top.id] != top.seq { pop() }
        guard let top = heap.first else {
            armed?.task.cancel()
            armed = nil
            return
        }
        if let a = armed, a.deadline <= top.deadline { return }
        armed?.task.cancel()
        armed = (loop.scheduleTask(deadline: top.deadline) { [self] in run() }, top.deadline)
    }

    private func run() {
        armed = nil
        let now = NIODeadline.now()
        while let top = heap.first, top.deadline <= now {
            pop()
            guard live[top.id] == top.seq else { continue }
            live[top.id] = nil
            fire(top.id, top.deadline)
        }
        rearm()
    }

    private func compact() {
        let entries = heap.filter { live[$0.id] == $0.seq }
        heap = []
        for e in entries { push(e) }
    }

    private func less(_ a: Entry, _ b: Entry) -> Bool { a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq) }

    private func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard less(heap[i], heap[p]) else { break }
            heap.swapAt(i, p)
            i = p
        }
    }

    private func pop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(heap[l], heap[m]) { m = l }
            if r < heap.count && less(heap[r], heap[m]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
