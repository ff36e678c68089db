/// One histogram bin: values in `lower..<upper` (the last bin also takes its upper edge).
public typealias HistogramBin = (lower: Double, upper: Double, count: Int)

/// A named sequence of (x, y) points, e.g. queue length over time.
public struct Series: Sendable {
    public var name: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, points: [(x: Double, y: Double)]) {
        self.name = name
        self.points = points
    }

    /// Evenly spaced samples: `ys[i]` at `x = start + i * step`.
    public init(name: String, ys: [Double], start: Double = 0, step: Double = 1) {
        self.init(name: name, points: ys.enumerated().map { (start + Double($0.offset) * step, $0.element) })
    }

    /// Points with finite x and y, in x order.
    var finitePoints: [(x: Double, y: Double)] {
        points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }
    }
}

/// A named latency distribution: value at each percentile (0 ..< 100).
public struct PercentileSeries: Sendable {
    public var name: String
    public var points: [(percentile: Double, value: Double)]

    public init(name: String, points: [(percentile: Double, value: Double)]) {
        self.name = name
        self.points = points
    }
}

/// The fixed series colours: Okabe–Ito, distinguishable with the common colour-vision
/// deficiencies (yellow darkened to read on white).
public enum Palette {
    public static let colors: [String] = [
        "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#B59B00", "#555555",
    ]

    public static func color(_ index: Int) -> String {
        colors[((index % colors.count) + colors.count) % colors.count]
    }
}
