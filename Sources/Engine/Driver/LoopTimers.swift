import NIOCore
import Primitives
import SIP

/// All of a driver's timers on one event loop, behind ONE armed NIO task: a min-heap of
/// deadlines, the earliest armed, due ones fired in deadline order (the "driver re-arms one timer"
/// model of aioquic). With 50,000 recipe tickers, one NIO scheduled task per timer made NIO's own
/// heap of tasks the main cost of a tick (ccbench ticks); here a re-arm is a heap push.
/// Replaced and cancelled timers are dropped lazily (a sequence number per id).
/// Only touched on `loop`. Inlinable, so a client module (ccbench's tick bench) gets the same
/// specialised code as `EngineDriver` does inside this module.
public final class LoopTimers<ID: Hashable>: @unchecked Sendable {
    @usableFromInline struct Entry: Comparable {
        @usableFromInline var deadline: NIODeadline
        @usableFromInline var seq: UInt64
        @usableFromInline var id: ID
        @inlinable init(deadline: NIODeadline, seq: UInt64, id: ID) {
            self.deadline = deadline
            self.seq = seq
            self.id = id
        }
        /// Deadline order; equal deadlines fire in the order they were armed.
        @inlinable static func < (a: Entry, b: Entry) -> Bool { a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq) }
        @inlinable static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.seq == b.seq }
    }
    @usableFromInline let loop: any EventLoop
    @usableFromInline let fire: (ID, NIODeadline) -> Void
    @usableFromInline var heap = BinaryHeap<Entry>()
    @usableFromInline var live: [ID: UInt64] = [:]
    @usableFromInline var seq: UInt64 = 0
    @usableFromInline var armed: (task: Scheduled<Void>, deadline: NIODeadline)?

    /// `fire(id, deadline)` runs on `loop` at or after the deadline.
    @inlinable public init(loop: any EventLoop, fire: @escaping (ID, NIODeadline) -> Void) {
        self.loop = loop
        self.fire = fire
    }

    @inlinable public var count: Int { live.count }

    /// Arms `id` at `deadline`, replacing an earlier arming of the same id.
    @inlinable public func schedule(_ id: ID, at deadline: NIODeadline) {
        seq &+= 1
        live[id] = seq
        heap.insert(Entry(deadline: deadline, seq: seq, id: id))
        if heap.count > 2 * live.count + 1024 { compact() }
        rearm()
    }

    @inlinable public func cancel(_ id: ID) {
        live[id] = nil
    }

    @inlinable public func cancelAll() {
        live = [:]
        heap.removeAll()
        armed?.task.cancel()
        armed = nil
    }

    @inlinable func rearm() {
        while let top = heap.min, live[top.id] != top.seq { heap.popMin() }
        guard let top = heap.min else {
            armed?.task.cancel()
            armed = nil
            return
        }
        if let a = armed, a.deadline <= top.deadline { return }
        armed?.task.cancel()
        armed = (loop.scheduleTask(deadline: top.deadline) { [self] in run() }, top.deadline)
    }

    @inlinable func run() {
        armed = nil
        let now = NIODeadline.now()
        while let top = heap.min, top.deadline <= now {
            heap.popMin()
            guard live[top.id] == top.seq else { continue }
            live[top.id] = nil
            fire(top.id, top.deadline)
        }
        // After a burst: give back the tables' peak storage (they keep their capacity).
        live.shrinkIfSparse()
        heap.shrinkIfSparse()
        rearm()
    }

    @inlinable func compact() {
        heap.filter { live[$0.id] == $0.seq }
    }
}
