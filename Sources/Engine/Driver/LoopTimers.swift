import NIOCore
import Primitives
import SIP

/// All of a driver's timers on one event loop, behind ONE armed NIO task: a min-heap of
/// deadlines, the earliest armed, due ones fired in deadline order (the "driver re-arms one timer"
/// model of aioquic). With 50,000 recipe tickers, one NIO scheduled task per timer made NIO's own
/// heap of tasks the main cost of a tick (ccbench ticks); here a re-arm is a heap push.
/// Replaced and cancelled timers are dropped lazily: each armed id has a slot holding the
/// sequence number of its current arming, and a heap entry whose number is not in its slot is
/// stale. Checking that is an array read, not a hash of the id (an engine timer's id holds a
/// transaction key's strings), so dropping the stale entries all at once (`compact`, when they
/// outnumber the live ones) walks ~100,000 entries without hashing any: with a dictionary lookup
/// per entry that walk was a pause of the SIP loop every few seconds under load.
/// Only touched on `loop`. Inlinable, so a client module (ccbench's tick bench) gets the same
/// specialised code as `EngineDriver` does inside this module.
public final class LoopTimers<ID: Hashable>: @unchecked Sendable {
    @usableFromInline struct Entry: Comparable {
        @usableFromInline var deadline: NIODeadline
        @usableFromInline var seq: UInt64
        @usableFromInline var slot: Int
        @usableFromInline var id: ID
        @inlinable init(deadline: NIODeadline, seq: UInt64, slot: Int, id: ID) {
            self.deadline = deadline
            self.seq = seq
            self.slot = slot
            self.id = id
        }
        /// Deadline order; equal deadlines fire in the order they were armed.
        @inlinable static func < (a: Entry, b: Entry) -> Bool { a.deadline < b.deadline || (a.deadline == b.deadline && a.seq < b.seq) }
        @inlinable static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.seq == b.seq }
    }
    @usableFromInline let loop: any EventLoop
    @usableFromInline let fire: (ID, NIODeadline) -> Void
    @usableFromInline var heap = BinaryHeap<Entry>()
    /// Each armed id's slot.
    @usableFromInline var slots: [ID: Int] = [:]
    /// By slot: the sequence number of its id's current arming (0: the slot is free).
    @usableFromInline var armedSeq: [UInt64] = []
    @usableFromInline var freeSlots: [Int] = []
    @usableFromInline var seq: UInt64 = 0
    @usableFromInline var armed: (task: Scheduled<Void>, deadline: NIODeadline)?

    /// `fire(id, deadline)` runs on `loop` at or after the deadline.
    @inlinable public init(loop: any EventLoop, fire: @escaping (ID, NIODeadline) -> Void) {
        self.loop = loop
        self.fire = fire
    }

    @inlinable public var count: Int { slots.count }

    /// Arms `id` at `deadline`, replacing an earlier arming of the same id.
    @inlinable public func schedule(_ id: ID, at deadline: NIODeadline) {
        seq &+= 1
        let slot: Int
        if let s = slots[id] {
            slot = s
        } else if let s = freeSlots.popLast() {
            slot = s
            slots[id] = s
        } else {
            slot = armedSeq.count
            armedSeq.append(0)
            slots[id] = slot
        }
        armedSeq[slot] = seq
        heap.insert(Entry(deadline: deadline, seq: seq, slot: slot, id: id))
        if heap.count > 2 * slots.count + 1024 { compact() }
        rearm()
    }

    @inlinable public func cancel(_ id: ID) {
        guard let slot = slots.removeValue(forKey: id) else { return }
        release(slot)
    }

    @inlinable public func cancelAll() {
        slots = [:]
        armedSeq = []
        freeSlots = []
        heap.removeAll()
        armed?.task.cancel()
        armed = nil
    }

    @inlinable func release(_ slot: Int) {
        armedSeq[slot] = 0
        freeSlots.append(slot)
    }

    /// Whether `entry` is its id's current arming (a slot reused since holds a later number).
    @inlinable func isCurrent(_ entry: Entry) -> Bool { armedSeq[entry.slot] == entry.seq }

    @inlinable func rearm() {
        while let top = heap.min, !isCurrent(top) { heap.popMin() }
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
            guard isCurrent(top) else { continue }
            slots[top.id] = nil
            release(top.slot)
            fire(top.id, top.deadline)
        }
        // After a burst: give back the tables' peak storage (they keep their capacity). The
        // slot numbers stay (8 bytes each, two arrays: ~2.4 MB after 150,000 timers at once).
        slots.shrinkIfSparse()
        heap.shrinkIfSparse()
        rearm()
    }

    @inlinable func compact() {
        heap.filter { isCurrent($0) }
    }
}
