import Foundation

extension Chart {
    func renderHistogram(_ bins: [HistogramBin]) -> String {
        let valid = bins.filter { $0.lower.isFinite && $0.upper.isFinite && $0.upper > $0.lower && $0.count >= 0 }
            .sorted { $0.lower < $1.lower }
        guard let xLo = valid.map(\.lower).min(), let xHi = valid.map(\.upper).max() else {
            return ChartFrame.noData(title: title)
        }
        let xAxis = Axis.positions(lo: xLo, hi: xHi, format: xFormat)
        let yAxis = Axis.values(valid.map { Double($0.count) }, format: yFormat, includeZero: true)
        var frame = ChartFrame(title: title, legend: [], yAxis: yAxis, yLabel: yLabel, xLabel: xLabel)
        frame.drawXTicks(xAxis)
        let total = valid.reduce(0) { $0 + $1.count }
        frame.canvas.text("n = \(ValueFormat.integer.format(Double(total)))", x: frame.right, y: 24,
                          anchor: "end", fill: "#555")
        let x = frame.xScale(xAxis), y = frame.y
        for bin in valid {
            let x0 = x(bin.lower), x1 = x(bin.upper)
            let gap = x1 - x0 > 4 ? 0.5 : 0
            let label = "\(xFormat.format(bin.lower)) – \(xFormat.format(bin.upper)): "
                + ValueFormat.integer.format(Double(bin.count))
            frame.canvas.rect(x: x0 + gap, y: y(Double(bin.count)), width: max(0.5, x1 - x0 - 2 * gap),
                              height: y(0) - y(Double(bin.count)), fill: Palette.color(0), title: label)
        }
        return frame.finish(title: title)
    }

    func renderBars(_ bars: [(label: String, value: Double)]) -> String {
        let valid = bars.filter { $0.value.isFinite }
        guard !valid.isEmpty else { return ChartFrame.noData(title: title) }
        let yAxis = Axis.values(valid.map(\.value), format: yFormat, includeZero: true)
        let estimatedSlot = (SVGCanvas.width - 110) / Double(valid.count)
        let labels = valid.map { $0.label.count > 24 ? String($0.label.prefix(23)) + "…" : $0.label }
        let labelWidth = labels.map { SVGCanvas.textWidth($0, size: 11) }.max() ?? 0
        let rotate = labelWidth > estimatedSlot - 6
        let bottomSpace = rotate ? min(130, labelWidth * 0.66 + 20) : 22
        var frame = ChartFrame(title: title, legend: [], yAxis: yAxis, yLabel: yLabel, xLabel: xLabel,
                               bottomSpace: bottomSpace)
        let y = frame.y
        let slot = frame.plotWidth / Double(valid.count)
        let every = rotate ? max(1, Int((14 / slot).rounded(.up))) : 1
        let barWidth = min(56, max(1, slot * 0.7))
        let reference = valid.map { abs($0.value) }.max() ?? 0
        let valueLabels = valid.map { yFormat.format($0.value, reference: reference, step: nil) }
        let showValues = valid.count <= 30
            && valueLabels.allSatisfy { SVGCanvas.textWidth($0, size: 10) <= slot - 2 }
        for (i, bar) in valid.enumerated() {
            let cx = frame.left + slot * (Double(i) + 0.5)
            let y0 = y(0), y1 = y(bar.value)
            frame.canvas.rect(x: cx - barWidth / 2, y: min(y0, y1), width: barWidth, height: abs(y1 - y0),
                              fill: Palette.color(0), title: "\(bar.label): \(valueLabels[i])")
            if showValues {
                let ly = bar.value >= 0 ? y1 - 4 : y1 + 12
                frame.canvas.text(valueLabels[i], x: cx, y: ly, anchor: "middle", size: 10, fill: "#333")
            }
            guard i % every == 0 else { continue }
            if rotate {
                frame.canvas.text(labels[i], x: cx + 3, y: frame.bottom + 12, anchor: "end", size: 11,
                                  fill: "#555", rotate: -40)
            } else {
                frame.canvas.text(labels[i], x: cx, y: frame.bottom + 17, anchor: "middle", size: 11, fill: "#555")
            }
        }
        return frame.finish(title: title)
    }

    /// Percentile ticks offered on the percentile axis, where they fall in the data's range.
    static let percentileTicks: [Double] = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999, 99.9999]

    /// Position of a percentile on the log-ish axis: 90 → 1, 99 → 2, 99.9 → 3.
    static func percentilePosition(_ p: Double) -> Double { -log10(1 - p / 100) }

    /// `p50`, `p99.9`, `p99.999`.
    static func percentileLabel(_ p: Double) -> String { "p" + ValueFormat.decimal(p, step: 0.0001) }

    func renderPercentiles(_ series: [PercentileSeries]) -> String {
        let data = series.map { s in
            s.points.filter { $0.percentile >= 0 && $0.percentile < 100 && $0.value.isFinite }
                .map { (x: Self.percentilePosition($0.percentile), y: $0.value, p: $0.percentile) }
                .sorted { $0.x < $1.x }
        }
        let all = data.flatMap { $0 }
        guard var lo = all.map(\.x).min(), var hi = all.map(\.x).max() else {
            return ChartFrame.noData(title: title)
        }
        if hi - lo < 0.3 { lo = max(0, lo - 0.3); hi += 0.3 }
        let slack = (hi - lo) * 1e-6
        let ticks = Self.percentileTicks.map { (value: Self.percentilePosition($0), label: Self.percentileLabel($0)) }
            .filter { $0.value >= lo - slack && $0.value <= hi + slack }
        let xAxis = Axis(lo: lo, hi: hi, ticks: ticks)
        let yAxis = Axis.values(all.map(\.y), format: yFormat, includeZero: includeZero)
        var frame = ChartFrame(title: title, legend: legend(series.map(\.name)), yAxis: yAxis,
                               yLabel: yLabel, xLabel: xLabel)
        frame.drawXTicks(xAxis)
        let x = frame.xScale(xAxis), y = frame.y
        for (i, points) in data.enumerated() where !points.isEmpty {
            let color = Palette.color(i)
            if points.count > 1 {
                frame.canvas.path(Self.polyline(points.map { (x($0.x), y($0.y)) }), stroke: color, width: 2)
            }
            guard points.count <= 60 else { continue }
            for p in points {
                frame.canvas.circle(cx: x(p.x), cy: y(p.y), r: 3, fill: color,
                                    title: "\(series[i].name) \(Self.percentileLabel(p.p)): \(yFormat.format(p.y))")
            }
        }
        return frame.finish(title: title)
    }
}
