/// Local RTP ports for the relay, two per call (caller leg, agent leg), even numbers only
/// (RFC 3550 §11: RTP on even ports, RTCP on the odd port above).
public struct MediaPortPool: Sendable {
    private var free: [Int]
    public let range: ClosedRange<Int>

    public init(range: ClosedRange<Int>) {
        self.range = range
        let first = range.lowerBound + (range.lowerBound % 2)
        // Each pair uses p and p+2; pairs are 4 apart so RTCP ports (p+1, p+3) stay free.
        free = Array(stride(from: first, through: range.upperBound - 3, by: 4).reversed())
    }

    public var available: Int { free.count }

    /// The pair `allocate` hands out next.
    public var next: (caller: Int, agent: Int)? { free.last.map { ($0, $0 + 2) } }

    public mutating func allocate() -> (caller: Int, agent: Int)? {
        guard let p = free.popLast() else { return nil }
        return (p, p + 2)
    }

    public mutating func release(callerPort: Int) {
        free.insert(callerPort, at: 0)
    }
}
