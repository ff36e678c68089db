/// The relay's frame clock cut into slots: the 20 ms frame period is `count` sub-ticks, each
/// played leg belongs to one slot, and a sub-tick sends only its slot's frames. Two thousand
/// callers hearing music then leave in bursts of two hundred every 2 ms rather than one burst of
/// two thousand every 20 ms: a stream's frame leaves at the same point of its slot's burst each
/// period, and a short burst has little room to vary (the burst's own length, and anything that
/// preempts it, is what a receiver sees as jitter). Pure: the worker feeds it the timer's count.
struct FrameSlots {
    static let count = 10
    /// The sub-tick period.
    static let nanoseconds = 20_000_000 / count
    /// Frames at most sent at once to catch up (beyond that a stream's timeline jumps rather
    /// than flood the phone).
    static let catchUp = 3

    /// Legs (bridges) per slot.
    private(set) var load = [Int](repeating: 0, count: count)
    /// The slot the next sub-tick plays.
    private(set) var next = 0

    /// A slot for a newly playing bridge: the least loaded (the first such after the next to play,
    /// so a lone stream starts at once).
    mutating func join() -> Int {
        var best = next
        for k in 1..<Self.count {
            let s = (next + k) % Self.count
            if load[s] < load[best] { best = s }
        }
        load[best] += 1
        return best
    }

    mutating func leave(_ slot: Int) { load[slot] = max(0, load[slot] - 1) }

    /// `ticks` sub-ticks have passed (the timerfd's count; more than one when the thread was
    /// late): the slots that came due, in the order they did, each with the frames it owes
    /// (more than one when its turn came round again while the thread was away).
    mutating func advance(_ ticks: Int) -> [(slot: Int, frames: Int)] {
        guard ticks > 0 else { return [] }
        let due = min(ticks, Self.count)
        let out = (0..<due).map { k in
            // Slot next + k came due at sub-ticks k, k + count, k + 2 count... within `ticks`.
            (slot: (next + k) % Self.count, frames: min(Self.catchUp, (ticks - 1 - k) / Self.count + 1))
        }
        next = (next + ticks) % Self.count
        return out
    }
}
