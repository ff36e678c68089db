import Foundation

extension Chart {
    func renderLines(_ series: [Series]) -> String {
        let data = series.map(\.finitePoints)
        let all = data.flatMap { $0 }
        guard let xLo = all.map(\.x).min(), let xHi = all.map(\.x).max() else {
            return ChartFrame.noData(title: title)
        }
        let xAxis = Axis.positions(lo: xLo, hi: xHi, format: xFormat)
        let yAxis = Axis.values(all.map(\.y), format: yFormat, includeZero: includeZero)
        var frame = ChartFrame(title: title, legend: legend(series.map(\.name)), yAxis: yAxis,
                               yLabel: yLabel, xLabel: xLabel)
        frame.drawXTicks(xAxis)
        let x = frame.xScale(xAxis), y = frame.y
        let markers = (data.map(\.count).max() ?? 0) <= 60
        for (i, points) in data.enumerated() where !points.isEmpty {
            let color = Palette.color(i)
            let shown = Self.decimate(points, columns: frame.plotWidth, x: x)
            if shown.count > 1 {
                frame.canvas.path(Self.polyline(shown.map { (x($0.x), y($0.y)) }), stroke: color, width: 2)
            }
            if markers || shown.count == 1 {
                for p in shown {
                    frame.canvas.circle(cx: x(p.x), cy: y(p.y), r: shown.count == 1 ? 4 : 2.5, fill: color,
                                        title: "\(series[i].name): \(xFormat.format(p.x)) → \(yFormat.format(p.y))")
                }
            }
        }
        return frame.finish(title: title)
    }

    func renderStackedArea(_ series: [Series]) -> String {
        let data = series.map { $0.finitePoints.map { (x: $0.x, y: max(0, $0.y)) } }
        var xs = Array(Set(data.flatMap { $0.map(\.x) })).sorted()
        guard let xLo = xs.first, let xHi = xs.last else { return ChartFrame.noData(title: title) }
        if xs.count > 1_000 {
            xs = (0...1_000).map { xLo + (xHi - xLo) * Double($0) / 1_000 }
        }
        var stacks: [[Double]] = []
        var running = [Double](repeating: 0, count: xs.count)
        for points in data {
            running = zip(running, xs).map { $0 + Self.interpolate(points, at: $1) }
            stacks.append(running)
        }
        let xAxis = Axis.positions(lo: xLo, hi: xHi, format: xFormat)
        let yAxis = Axis.values(running + [0], format: yFormat, includeZero: true)
        var frame = ChartFrame(title: title, legend: legend(series.map(\.name), always: true), yAxis: yAxis,
                               yLabel: yLabel, xLabel: xLabel)
        frame.drawXTicks(xAxis)
        let x = frame.xScale(xAxis), y = frame.y
        for (i, top) in stacks.enumerated() {
            let base = i == 0 ? [Double](repeating: 0, count: xs.count) : stacks[i - 1]
            let color = Palette.color(i)
            if xs.count == 1 {
                frame.canvas.rect(x: x(xs[0]) - 4, y: y(top[0]), width: 8, height: y(base[0]) - y(top[0]),
                                  fill: color, title: "\(series[i].name): \(yFormat.format(top[0] - base[0]))")
                continue
            }
            let upper = zip(xs, top).map { (x($0), y($1)) }
            let lower = zip(xs, base).map { (x($0), y($1)) }.reversed()
            frame.canvas.path(Self.polyline(upper + lower) + " Z", fill: color, fillOpacity: 0.78,
                              title: series[i].name)
            frame.canvas.path(Self.polyline(upper), stroke: color, width: 1.5)
        }
        return frame.finish(title: title)
    }

    func legend(_ names: [String], always: Bool = false) -> [(name: String, color: String)] {
        guard always || names.count > 1 else { return [] }
        return names.enumerated().map { ($0.element, Palette.color($0.offset)) }
    }

    static func polyline(_ points: [(Double, Double)]) -> String {
        points.enumerated().map { i, p in
            (i == 0 ? "M" : "L") + SVGCanvas.num(p.0) + " " + SVGCanvas.num(p.1)
        }.joined(separator: " ")
    }

    /// Keeps the first, lowest, highest and last point of each pixel column when there are more
    /// points than columns, so long series stay small without losing peaks.
    static func decimate(_ points: [(x: Double, y: Double)], columns: Double,
                         x: LinearScale) -> [(x: Double, y: Double)] {
        guard Double(points.count) > columns * 2 else { return points }
        var out: [(x: Double, y: Double)] = []
        var group: [(x: Double, y: Double)] = []
        var column = Int.min
        func flush() {
            guard let first = group.first, let last = group.last else { return }
            let lo = group.min { $0.y < $1.y }!, hi = group.max { $0.y < $1.y }!
            var keep = [first, lo, hi, last].sorted { $0.x < $1.x }
            keep = keep.enumerated().filter { i, p in i == 0 || p != keep[i - 1] }.map(\.element)
            out += keep
            group.removeAll(keepingCapacity: true)
        }
        for p in points {
            let c = Int(x(p.x).rounded(.down))
            if c != column { flush(); column = c }
            group.append(p)
        }
        flush()
        return out
    }

    /// Linear interpolation within the series' x range, 0 outside it.
    static func interpolate(_ points: [(x: Double, y: Double)], at x: Double) -> Double {
        guard let first = points.first, let last = points.last, x >= first.x, x <= last.x else { return 0 }
        var lo = 0, hi = points.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if points[mid].x <= x { lo = mid } else { hi = mid }
        }
        let a = points[lo], b = points[hi]
        if x == b.x { return b.y }
        if b.x == a.x { return a.y }
        return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
    }
}
