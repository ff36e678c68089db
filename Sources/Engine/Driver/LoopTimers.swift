import NIOCore
import Primitives
import SIP

/// All of a driver's timers on one event loop, behind ONE armed NIO task: a min-heap of
/// deadlines, the earliest armed, due ones fired in deadline order (the "driver re-arms one timer"
/// model of aioquic). With 50,000 recipe tickers, one NIO scheduled task per timer made NIO's own
/// heap of tasks the main cost of a tick (ccbench ticks); here a re-arm is a heap push.
/// Replaced and cancelled timers are dropped lazily: each armed id has a slot in a `SlotTable`
/// holding the sequence number of its current arming, and a heap entry whose number is not in its
/// slot is stale. A heap entry is a deadline, a sequence number and a slot, with no id in it:
/// plain data, so moving, filtering and heapifying entries never retains or releases (an engine
/// timer's id holds a transaction key's strings), and checking one reads an array. Dropping the
/// stale entries all at once (`compact`, when they outnumber the live ones) walks ~160,000
/// entries after a burst in ~2 ms: with the ids in the entries it stalled the SIP loop for
/// ~70 ms, and with a dictionary lookup per entry before that, longer. Armed ids never rehash
/// either (`SlotTable`: a Dictionary of ~80,000 of them stalled the loop when it grew).
/// Only touched on `loop`. Inlinable, so a client module (ccbench's tick bench) gets the same
/// specialised code as `EngineDriver` does inside this module.
public final class LoopTimers<ID: Hashable>: @unchecked Sendable {
    @usableFromInline struct Entry: Comparable {
        @usableFromInline var deadline: NIODeadline
        @usableFromInline var seq: UInt64
        @usableFromInline var slot: Int
        @inlinable init(deadline: NIODeadline, seq: UInt64, slot: Int) {
            self.deadline = deadline
            self.seq = seq
            self.slot = slot
        }
        /// Deadline order; equal deadlines fire in the order they were armed.
        @inlinable static func < (a: Entry, b: Entry) -> Bool { a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq) }
        @inlinable static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.seq == b.seq }
    }
    @usableFromInline let loop: any EventLoop
    @usableFromInline let fire: (ID, NIODeadline) -> Void
    @usableFromInline var heap = BinaryHeap<Entry>()
    /// Each armed id, in its slot, with the sequence number of its current arming.
    @usableFromInline var armed = SlotTable<ID, UInt64>(minimumCapacity: 65_536)
    @usableFromInline var seq: UInt64 = 0
    @usableFromInline var task: (scheduled: Scheduled<Void>, deadline: NIODeadline)?

    /// `fire(id, deadline)` runs on `loop` at or after the deadline.
    @inlinable public init(loop: any EventLoop, fire: @escaping (ID, NIODeadline) -> Void) {
        self.loop = loop
        self.fire = fire
    }

    @inlinable public var count: Int { armed.count }

    /// Arms `id` at `deadline`, replacing an earlier arming of the same id.
    @inlinable public func schedule(_ id: ID, at deadline: NIODeadline) {
        seq &+= 1
        let slot = armed.insert(seq, for: id)
        heap.insert(Entry(deadline: deadline, seq: seq, slot: slot))
        if heap.count > 2 * armed.count + 1024 { compact() }
        rearm()
    }

    @inlinable public func cancel(_ id: ID) {
        armed.remove(id)
    }

    @inlinable public func cancelAll() {
        armed.removeAll()
        heap.removeAll()
        task?.scheduled.cancel()
        task = nil
    }

    /// Whether `entry` is its id's current arming (a slot reused since holds a later number).
    @inlinable func isCurrent(_ entry: Entry) -> Bool { armed.value(at: entry.slot) == entry.seq }

    @inlinable func rearm() {
        while let top = heap.min, !isCurrent(top) { heap.popMin() }
        guard let top = heap.min else {
            task?.scheduled.cancel()
            task = nil
            return
        }
        if let t = task, t.deadline <= top.deadline { return }
        task?.scheduled.cancel()
        task = (loop.scheduleTask(deadline: top.deadline) { [self] in run() }, top.deadline)
    }

    @inlinable func run() {
        task = nil
        let now = NIODeadline.now()
        while let top = heap.min, top.deadline <= now {
            heap.popMin()
            guard isCurrent(top), let id = armed.key(at: top.slot) else { continue }
            armed.remove(id)
            fire(id, top.deadline)
        }
        // After a burst: give back the heap's peak storage (the slot table gives back its own).
        heap.shrinkIfSparse()
        rearm()
    }

    @inlinable func compact() {
        heap.filter { isCurrent($0) }
    }
}
