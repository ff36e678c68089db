import Histogram

/// One decision kind's latency distribution, in nanoseconds (REFERENCE §4: p50/p99/p99.9/max,
/// never only a mean).
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50Nanos: UInt64
    public var p99Nanos: UInt64
    public var p999Nanos: UInt64
    public var maxNanos: UInt64
    public var meanNanos: Double
    /// Decisions per second of time spent inside the timed calls (setup and recycling excluded).
    public var decisionsPerSecond: Double

    public init(
        count: UInt64, p50Nanos: UInt64, p99Nanos: UInt64, p999Nanos: UInt64, maxNanos: UInt64,
        meanNanos: Double, decisionsPerSecond: Double
    ) {
        self.count = count
        self.p50Nanos = p50Nanos
        self.p99Nanos = p99Nanos
        self.p999Nanos = p999Nanos
        self.maxNanos = maxNanos
        self.meanNanos = meanNanos
        self.decisionsPerSecond = decisionsPerSecond
    }
}

/// Collects per-decision latencies into an HdrHistogram plus an exact sum for the mean.
struct LatencyRecorder {
    private var histogram = Histogram<UInt64>(
        lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000,
        numberOfSignificantValueDigits: .three)
    private var totalNanos: UInt64 = 0
    private(set) var count: UInt64 = 0

    mutating func record(_ nanos: UInt64) {
        // A zero reading (two clock reads inside one tick) still counts as a decision.
        histogram.record(max(nanos, 1))
        totalNanos &+= nanos
        count += 1
    }

    var summary: LatencySummary {
        let mean = count == 0 ? 0 : Double(totalNanos) / Double(count)
        return LatencySummary(
            count: count,
            p50Nanos: histogram.valueAtPercentile(50),
            p99Nanos: histogram.valueAtPercentile(99),
            p999Nanos: histogram.valueAtPercentile(99.9),
            maxNanos: histogram.max,
            meanNanos: mean,
            decisionsPerSecond: totalNanos == 0 ? 0 : Double(count) * 1e9 / Double(totalNanos))
    }
}
