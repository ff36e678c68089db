/// Local RTP ports for the relay, two per call (caller leg, agent leg), even numbers only
/// (RFC 3550 §11: RTP on even ports, RTCP on the odd port above).
///
/// A pair comes back (`release`) only once the relay has closed its sockets, so it is never
/// handed out while still bound. A pair the relay cannot bind (another process holds a port) is
/// set aside for `quarantine` and offered again after it, at the back of the line.
public struct MediaPortPool: Sendable {
    private var free: [Int]
    /// Pairs set aside, by caller port, with the time they may be tried again.
    private var quarantined: [(port: Int, until: Duration)] = []
    public let range: ClosedRange<Int>
    /// How long a pair that could not be bound is set aside.
    public static let quarantine: Duration = .seconds(60)

    public init(range: ClosedRange<Int>) {
        self.range = range
        let first = range.lowerBound + (range.lowerBound % 2)
        // Each pair uses p and p+2; pairs are 4 apart so RTCP ports (p+1, p+3) stay free.
        free = Array(stride(from: first, through: range.upperBound - 3, by: 4).reversed())
    }

    /// How many calls the range holds at once.
    public var capacity: Int { (range.upperBound - 3 - (range.lowerBound + range.lowerBound % 2)) / 4 + 1 }
    public var available: Int { free.count }

    /// The pair `allocate` hands out next.
    public var next: (caller: Int, agent: Int)? { free.last.map { ($0, $0 + 2) } }

    public mutating func allocate(now: Duration) -> (caller: Int, agent: Int)? {
        readmit(now: now)
        guard let p = free.popLast() else { return nil }
        return (p, p + 2)
    }

    /// The relay closed the pair's sockets.
    public mutating func release(callerPort: Int) {
        free.insert(callerPort, at: 0)
    }

    /// Sets a pair aside (free or just released by a call whose relay could not bind it).
    public mutating func quarantine(callerPort: Int, now: Duration) {
        free.removeAll { $0 == callerPort }
        quarantined.append((callerPort, now + Self.quarantine))
    }

    private mutating func readmit(now: Duration) {
        guard let first = quarantined.first, first.until <= now else { return }
        let due = quarantined.filter { $0.until <= now }
        quarantined.removeAll { $0.until <= now }
        free.insert(contentsOf: due.map(\.port), at: 0)
    }
}
