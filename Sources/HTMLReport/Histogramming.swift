import Foundation

/// Turning raw values and events into chartable bins, percentiles and time series.
/// Non-finite values are ignored throughout.
public enum Histogramming {
    /// `count` equal-width bins from the smallest to the largest value (the last bin includes
    /// the largest). All-equal values give one bin of width 1 around them; no values, none.
    public static func bins(_ values: [Double], count: Int) -> [HistogramBin] {
        let finite = values.filter(\.isFinite)
        guard count > 0, let lo = finite.min(), let hi = finite.max() else { return [] }
        guard hi > lo else { return [(lo - 0.5, lo + 0.5, finite.count)] }
        let width = (hi - lo) / Double(count)
        var counts = [Int](repeating: 0, count: count)
        for v in finite {
            counts[min(count - 1, max(0, Int(((v - lo) / width).rounded(.down))))] += 1
        }
        return counts.enumerated().map { i, n in
            (lo + Double(i) * width, i == count - 1 ? hi : lo + Double(i + 1) * width, n)
        }
    }

    /// Bins of a fixed `width` aligned to `origin` (bin k is `origin + k·width ..< origin + (k+1)·width`),
    /// from the bin of the smallest value to the bin of the largest, empty bins included.
    /// At most 10,000 bins: a wider spread falls back to `bins(_:count:)` with 10,000.
    public static func bins(_ values: [Double], width: Double, origin: Double = 0) -> [HistogramBin] {
        let finite = values.filter(\.isFinite)
        guard width > 0, width.isFinite, let lo = finite.min(), let hi = finite.max() else { return [] }
        let first = ((lo - origin) / width).rounded(.down), last = ((hi - origin) / width).rounded(.down)
        guard last - first < 10_000 else { return bins(finite, count: 10_000) }
        var counts = [Int](repeating: 0, count: Int(last - first) + 1)
        for v in finite {
            counts[min(counts.count - 1, max(0, Int(((v - origin) / width).rounded(.down) - first)))] += 1
        }
        return counts.enumerated().map { i, n in
            let k = first + Double(i)
            return (origin + k * width, origin + (k + 1) * width, n)
        }
    }

    /// About `count` bins with a 1-2-5 width aligned to zero, e.g. 0–5 s, 5–10 s, ...
    public static func niceBins(_ values: [Double], count: Int = 20) -> [HistogramBin] {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return [] }
        guard hi > lo else { return bins(finite, count: 1) }
        return bins(finite, width: AxisTicks.niceStep((hi - lo) / Double(max(1, count))))
    }

    /// The percentiles reported for latency distributions by default.
    public static let standardPercentiles: [Double] = [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99]

    /// Nearest-rank percentiles (the smallest value with at least p % of values at or below it).
    public static func percentiles(_ values: [Double], at percentiles: [Double] = standardPercentiles)
        -> [(percentile: Double, value: Double)] {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return [] }
        return percentiles.filter { $0 >= 0 && $0 <= 100 }.map { p in
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return (p, sorted[min(sorted.count - 1, max(0, rank - 1))])
        }
    }

    /// Events per interval: the point at x = interval start counts times in
    /// `start ..< start + interval`, from `from` (default: the first time, rounded down to a
    /// multiple of `interval`) through the interval holding `to` (default: the last time).
    public static func eventCounts(_ times: [Double], interval: Double, from: Double? = nil,
                                   to: Double? = nil, name: String = "events") -> Series {
        let finite = times.filter(\.isFinite)
        guard interval > 0, let lo = finite.min(), let hi = finite.max() else { return Series(name: name, points: []) }
        let start = from ?? (lo / interval).rounded(.down) * interval
        let end = to ?? hi
        guard end >= start else { return Series(name: name, points: []) }
        let n = min(1_000_000, Int(((end - start) / interval).rounded(.down)) + 1)
        var counts = [Int](repeating: 0, count: n)
        for t in finite where t >= start {
            let k = Int(((t - start) / interval).rounded(.down))
            if k < n { counts[k] += 1 }
        }
        return Series(name: name, ys: counts.map(Double.init), start: start, step: interval)
    }

    /// How many intervals are open (`start <= t < end`; a nil end never closes), sampled at
    /// `from + k·step` through `to`. Defaults: `from` is the first start rounded down to a multiple
    /// of `step`, `to` the latest start or end.
    public static func level(_ intervals: [(start: Double, end: Double?)], step: Double, from: Double? = nil,
                             to: Double? = nil, name: String = "level") -> Series {
        let valid = intervals.filter { $0.start.isFinite && ($0.end?.isFinite ?? true) }
        guard step > 0, let firstStart = valid.map(\.start).min() else { return Series(name: name, points: []) }
        let start = from ?? (firstStart / step).rounded(.down) * step
        let end = to ?? valid.map { max($0.start, $0.end ?? $0.start) }.max()!
        guard end >= start else { return Series(name: name, points: []) }
        let starts = valid.map(\.start).sorted()
        let ends = valid.compactMap { iv in iv.end.map { max($0, iv.start) } }.sorted()
        let n = min(1_000_000, Int(((end - start) / step + 1e-9).rounded(.down)) + 1)
        var opened = 0, closed = 0
        var ys: [Double] = []
        ys.reserveCapacity(n)
        for k in 0..<n {
            let t = start + Double(k) * step
            while opened < starts.count && starts[opened] <= t { opened += 1 }
            while closed < ends.count && ends[closed] <= t { closed += 1 }
            ys.append(Double(opened - closed))
        }
        return Series(name: name, ys: ys, start: start, step: step)
    }
}
