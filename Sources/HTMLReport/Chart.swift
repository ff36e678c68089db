/// A chart, rendered as inline SVG with axes, ticks, labels and (for several series) a legend.
/// Non-finite values are skipped; a chart with nothing left to plot renders "no data".
public struct Chart: Sendable {
    public enum Kind: Sendable {
        case lines([Series])
        case stackedArea([Series])
        case histogram([HistogramBin])
        case bars([(label: String, value: Double)])
        case percentiles([PercentileSeries])
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var kind: Kind
    public var xFormat: ValueFormat
    public var yFormat: ValueFormat
    /// Whether the value axis always reaches zero (default true).
    public var includeZero: Bool

    public init(title: String, xLabel: String = "", yLabel: String = "", kind: Kind,
                xFormat: ValueFormat = .number, yFormat: ValueFormat = .number, includeZero: Bool = true) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.kind = kind
        self.xFormat = xFormat
        self.yFormat = yFormat
        self.includeZero = includeZero
    }

    /// Line chart of time series (queue length, busy agents, service level per interval).
    /// With `xFormat` a duration format, long time axes tick on whole minutes or hours.
    public static func lines(title: String, xLabel: String, yLabel: String, series: [Series],
                             xFormat: ValueFormat = .number, yFormat: ValueFormat = .number,
                             includeZero: Bool = true) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel, kind: .lines(series),
              xFormat: xFormat, yFormat: yFormat, includeZero: includeZero)
    }

    /// Stacked areas (agents by state over time), first series at the bottom. Series need not
    /// share x values: each is interpolated linearly and taken as 0 outside its own x range.
    public static func stackedArea(title: String, xLabel: String, yLabel: String, series: [Series],
                                   xFormat: ValueFormat = .number, yFormat: ValueFormat = .number) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel, kind: .stackedArea(series),
              xFormat: xFormat, yFormat: yFormat)
    }

    /// Histogram of pre-binned counts (see `Histogramming.bins`).
    public static func histogram(title: String, xLabel: String, yLabel: String = "count",
                                 bins: [HistogramBin], xFormat: ValueFormat = .number) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel, kind: .histogram(bins),
              xFormat: xFormat, yFormat: .integer)
    }

    /// One bar per label (per-agent occupancy, throughput by step), values printed on the bars
    /// when they fit.
    public static func bars(title: String, xLabel: String = "", yLabel: String,
                            bars: [(label: String, value: Double)], yFormat: ValueFormat = .number) -> Chart {
        Chart(title: title, xLabel: xLabel, yLabel: yLabel, kind: .bars(bars), yFormat: yFormat)
    }

    /// Latency by percentile on a log-ish percentile axis (x = −log10(1 − p/100), so 90, 99,
    /// 99.9, 99.99 are evenly spaced). Percentiles outside 0 ..< 100 are skipped.
    public static func percentiles(title: String, yLabel: String = "latency",
                                   series: [(name: String, points: [(percentile: Double, value: Double)])],
                                   yFormat: ValueFormat = .number) -> Chart {
        Chart(title: title, xLabel: "percentile", yLabel: yLabel,
              kind: .percentiles(series.map { PercentileSeries(name: $0.name, points: $0.points) }),
              xFormat: .number, yFormat: yFormat)
    }

    /// The chart as a standalone `<svg>` element.
    public func svg() -> String {
        switch kind {
        case .lines(let series): renderLines(series)
        case .stackedArea(let series): renderStackedArea(series)
        case .histogram(let bins): renderHistogram(bins)
        case .bars(let bars): renderBars(bars)
        case .percentiles(let series): renderPercentiles(series)
        }
    }
}
