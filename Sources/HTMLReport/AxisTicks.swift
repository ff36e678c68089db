import Foundation

/// "Nice" axis ticks: steps of 1, 2 or 5 times a power of ten (or whole minutes and hours
/// for long time axes).
public enum AxisTicks {
    /// The smallest 1-2-5 step (1, 2, 5, 10, 20, 50, 0.1, 0.2, ...) that is at least `raw`.
    public static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 + 1e-9 ? 1 : normalized <= 2 + 1e-9 ? 2 : normalized <= 5 + 1e-9 ? 5 : 10
        return factor * magnitude
    }

    /// Ticks on multiples of a 1-2-5 step, about `count` intervals, covering `lower...upper`
    /// (the first tick is at or below `lower`, the last at or above `upper`). A degenerate range
    /// is widened; non-finite bounds give `[0, 1]`.
    public static func ticks(from lower: Double, to upper: Double, count: Int = 5) -> [Double] {
        let (lo, hi) = widened(lower, upper)
        let step = niceStep((hi - lo) / Double(max(1, count)))
        return ticks(lo, hi, step: step)
    }

    /// Like `ticks(from:to:count:)`, but for a time axis in seconds: ranges of three minutes or
    /// more get steps of whole minutes or hours (1, 2, 5, 10, 15, 30 min; 1, 2, 3, 6, 12, 24 h).
    public static func timeTicks(from lower: Double, to upper: Double, count: Int = 5) -> [Double] {
        let (lo, hi) = widened(lower, upper)
        let raw = (hi - lo) / Double(max(1, count))
        guard hi - lo >= 180 else { return ticks(from: lo, to: hi, count: count) }
        let steps: [Double] = [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400]
        let step = steps.first { $0 >= raw - 1e-9 } ?? 86400 * niceStep(raw / 86400)
        return ticks(lo, hi, step: step)
    }

    /// The spacing of a tick array (0 when it has fewer than two ticks).
    static func step(of ticks: [Double]) -> Double {
        ticks.count >= 2 ? ticks[1] - ticks[0] : 0
    }

    static func widened(_ lower: Double, _ upper: Double) -> (Double, Double) {
        guard lower.isFinite, upper.isFinite else { return (0, 1) }
        var (lo, hi) = lower <= upper ? (lower, upper) : (upper, lower)
        if hi - lo <= abs(hi) * 1e-12 {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= lo == 0 ? 0 : pad
            hi += pad
        }
        return (lo, hi)
    }

    private static func ticks(_ lo: Double, _ hi: Double, step: Double) -> [Double] {
        let first = (lo / step + 1e-9).rounded(.down)
        let last = (hi / step - 1e-9).rounded(.up)
        guard last - first < 10_000 else { return [lo, hi] }
        return stride(from: first, through: last, by: 1).map { k in
            let v = k * step
            return abs(v) < step * 1e-9 ? 0 : v
        }
    }
}
