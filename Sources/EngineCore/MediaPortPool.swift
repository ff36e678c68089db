/// Local RTP ports for the relay, one per call leg (caller side, agent side): even numbers only,
/// each with the odd port above it for RTCP (RFC 3550 §11). A waiting caller holds its own leg's
/// port only; the agent side takes one when an agent is first rung.
///
/// A port comes back (`release`) only once the relay has closed its sockets, so it is never
/// handed out while still bound. A port the relay cannot bind (another process holds it, or its
/// RTCP port) is set aside for `quarantine` and offered again after it, at the back of the line.
public struct MediaPortPool: Sendable {
    private var free: [Int]
    /// Ports set aside, with the time they may be tried again.
    private var quarantined: [(port: Int, until: Duration)] = []
    public let range: ClosedRange<Int>
    /// How long a port that could not be bound is set aside.
    public static let quarantine: Duration = .seconds(60)

    public init(range: ClosedRange<Int>) {
        self.range = range
        let first = range.lowerBound + (range.lowerBound % 2)
        free = Array(stride(from: first, through: range.upperBound - 1, by: 2).reversed())
    }

    /// How many call legs the range holds at once (a waiting caller is one, a call with an agent
    /// side two).
    public var capacity: Int { (range.upperBound - 1 - (range.lowerBound + range.lowerBound % 2)) / 2 + 1 }
    public var available: Int { free.count }

    /// The port `allocate` hands out next.
    public var next: Int? { free.last }
    /// The ports `allocate` hands out next, in order: a new call may take two in one event (its
    /// caller's and, with an agent free, its agent's), so both are bound ahead.
    public var upcoming: [Int] { Array(free.suffix(2).reversed()) }

    public mutating func allocate(now: Duration) -> Int? {
        readmit(now: now)
        return free.popLast()
    }

    /// The relay closed the port's sockets.
    public mutating func release(_ port: Int) {
        free.insert(port, at: 0)
    }

    /// Sets a port aside (free, or just released by a call whose relay could not bind it).
    public mutating func quarantine(_ port: Int, now: Duration) {
        free.removeAll { $0 == port }
        quarantined.append((port, now + Self.quarantine))
    }

    private mutating func readmit(now: Duration) {
        guard let first = quarantined.first, first.until <= now else { return }
        let due = quarantined.filter { $0.until <= now }
        quarantined.removeAll { $0.until <= now }
        free.insert(contentsOf: due.map(\.port), at: 0)
    }
}
