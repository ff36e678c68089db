/// The common layout of a chart: title, legend, plot area with a value (y) axis, x axis
/// labels, axis titles. Data is drawn between `init` and `finish`.
struct ChartFrame {
    static let plotHeight = 240.0
    var canvas = SVGCanvas()
    let left: Double, top: Double, right: Double, bottom: Double
    let y: LinearScale
    let height: Double
    private let xLabel: String

    /// - Parameter bottomSpace: room under the plot for x tick labels.
    init(title: String, legend: [(name: String, color: String)], yAxis: Axis, yLabel: String,
         xLabel: String, bottomSpace: Double = 22) {
        canvas.text(title, x: 12, y: 24, size: 15, bold: true, fill: "#111")
        var rowY = 46.0, x = 12.0
        if legend.count > 0 {
            for item in legend {
                let w = 14 + SVGCanvas.textWidth(item.name) + 20
                if x > 12 && x + w > SVGCanvas.width - 12 { x = 12; rowY += 18 }
                canvas.rect(x: x, y: rowY - 9, width: 10, height: 10, fill: item.color, rx: 2)
                canvas.text(item.name, x: x + 14, y: rowY, fill: "#333")
                x += w
            }
            rowY += 8
        } else {
            rowY = 30
        }
        let labelWidth = yAxis.ticks.map { SVGCanvas.textWidth($0.label, size: 11) }.max() ?? 0
        left = 12 + (yLabel.isEmpty ? 0 : 18) + labelWidth + 8
        right = SVGCanvas.width - 24
        top = rowY + 14
        bottom = top + Self.plotHeight
        y = LinearScale(lo: yAxis.lo, hi: yAxis.hi, a: bottom, b: top)
        self.xLabel = xLabel
        height = bottom + bottomSpace + (xLabel.isEmpty ? 6 : 24)
        for tick in yAxis.ticks {
            let py = y(tick.value)
            canvas.line(left, py, right, py, stroke: "#e6e6e6")
            canvas.text(tick.label, x: left - 6, y: py + 4, anchor: "end", size: 11, fill: "#555")
        }
        if !yLabel.isEmpty {
            let mid = (top + bottom) / 2
            canvas.text(yLabel, x: 16, y: mid, anchor: "middle", fill: "#444", rotate: -90)
        }
    }

    var plotWidth: Double { right - left }

    func xScale(_ axis: Axis) -> LinearScale {
        LinearScale(lo: axis.lo, hi: axis.hi, a: left, b: right)
    }

    /// Vertical grid lines and labels under the plot for a numeric x axis; labels that would
    /// overlap the previous one are left out.
    mutating func drawXTicks(_ axis: Axis) {
        let x = xScale(axis)
        var lastRight = -Double.infinity
        for tick in axis.ticks {
            let px = x(tick.value)
            canvas.line(px, top, px, bottom, stroke: "#f0f0f0")
            canvas.line(px, bottom, px, bottom + 4, stroke: "#888")
            let w = SVGCanvas.textWidth(tick.label, size: 11)
            let anchorLeft = px - w / 2
            guard anchorLeft > lastRight + 6 else { continue }
            canvas.text(tick.label, x: px, y: bottom + 17, anchor: "middle", size: 11, fill: "#555")
            lastRight = px + w / 2
        }
    }

    /// Axis lines on top of the data, the x axis title, and the finished SVG.
    mutating func finish(title: String) -> String {
        let zeroY = y.lo <= 0 && y.hi >= 0 ? y(0) : bottom
        canvas.line(left, top, left, bottom, stroke: "#888")
        canvas.line(left, zeroY, right, zeroY, stroke: "#888")
        if zeroY != bottom { canvas.line(left, bottom, right, bottom, stroke: "#ccc") }
        if !xLabel.isEmpty {
            canvas.text(xLabel, x: (left + right) / 2, y: height - 8, anchor: "middle", fill: "#444")
        }
        return canvas.svg(height: height, title: title)
    }

    /// A chart with nothing to plot: its title and "no data".
    static func noData(title: String) -> String {
        var canvas = SVGCanvas()
        canvas.text(title, x: 12, y: 24, size: 15, bold: true, fill: "#111")
        canvas.rect(x: 12, y: 40, width: SVGCanvas.width - 24, height: 70, fill: "#f6f6f6", rx: 4)
        canvas.text("no data", x: SVGCanvas.width / 2, y: 80, anchor: "middle", size: 14, fill: "#777")
        return canvas.svg(height: 124, title: title)
    }
}
