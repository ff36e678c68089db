import Foundation

/// Accumulates SVG elements; every text and attribute value goes through `HTML.escape`.
struct SVGCanvas {
    static let width = 800.0
    static let fontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
    private(set) var body = ""

    /// Coordinates with at most one decimal.
    static func num(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// Rough width of `text` at `size` px in a sans-serif font, for layout.
    static func textWidth(_ text: String, size: Double = 12) -> Double {
        Double(text.count) * size * 0.57
    }

    private static func tooltip(_ title: String?) -> String {
        title.map { "<title>\(HTML.escape($0))</title>" } ?? ""
    }

    private static func close(_ element: String, _ title: String?) -> String {
        title == nil ? "/>" : ">\(tooltip(title))</\(element)>"
    }

    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
                       bold: Bool = false, fill: String = "#333", rotate: Double? = nil) {
        var attrs = "x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" font-size=\"\(Self.num(size))\" fill=\"\(fill)\""
        if anchor != "start" { attrs += " text-anchor=\"\(anchor)\"" }
        if bold { attrs += " font-weight=\"600\"" }
        if let rotate { attrs += " transform=\"rotate(\(Self.num(rotate)) \(Self.num(x)) \(Self.num(y)))\"" }
        body += "<text \(attrs)>\(HTML.escape(s))</text>\n"
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) {
        body += "<line x1=\"\(Self.num(x1))\" y1=\"\(Self.num(y1))\" x2=\"\(Self.num(x2))\" y2=\"\(Self.num(y2))\""
            + " stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\"/>\n"
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       opacity: Double? = nil, rx: Double = 0, title: String? = nil) {
        var attrs = "x=\"\(Self.num(x))\" y=\"\(Self.num(y))\" width=\"\(Self.num(max(0, width)))\""
            + " height=\"\(Self.num(max(0, height)))\" fill=\"\(fill)\""
        if let opacity { attrs += " fill-opacity=\"\(opacity)\"" }
        if rx > 0 { attrs += " rx=\"\(Self.num(rx))\"" }
        body += "<rect \(attrs)\(Self.close("rect", title))\n"
    }

    mutating func path(_ d: String, stroke: String? = nil, fill: String? = nil, width: Double = 2,
                       fillOpacity: Double? = nil, title: String? = nil) {
        var attrs = "d=\"\(d)\" fill=\"\(fill ?? "none")\""
        if let stroke {
            attrs += " stroke=\"\(stroke)\" stroke-width=\"\(Self.num(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        }
        if let fillOpacity { attrs += " fill-opacity=\"\(fillOpacity)\"" }
        body += "<path \(attrs)\(Self.close("path", title))\n"
    }

    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, title: String? = nil) {
        body += "<circle cx=\"\(Self.num(cx))\" cy=\"\(Self.num(cy))\" r=\"\(Self.num(r))\" fill=\"\(fill)\""
            + " stroke=\"#fff\" stroke-width=\"1\"\(Self.close("circle", title))\n"
    }

    /// The finished `<svg>` element: responsive (viewBox, width 100%), titled for accessibility.
    func svg(height: Double, title: String) -> String {
        let h = Self.num(height.rounded(.up))
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Self.num(Self.width)) \(h)\""
            + " width=\"100%\" role=\"img\" aria-label=\"\(HTML.escape(title))\""
            + " font-family=\"\(HTML.escape(Self.fontFamily))\">\n"
            + "<title>\(HTML.escape(title))</title>\n"
            + "<rect x=\"0\" y=\"0\" width=\"\(Self.num(Self.width))\" height=\"\(h)\" fill=\"#fff\"/>\n"
            + body + "</svg>"
    }
}

/// A linear map from a data domain to pixels.
struct LinearScale {
    let lo: Double, hi: Double, a: Double, b: Double
    func callAsFunction(_ v: Double) -> Double {
        hi == lo ? (a + b) / 2 : a + (v - lo) / (hi - lo) * (b - a)
    }
}

/// An axis: its data domain and labelled ticks.
struct Axis {
    var lo: Double
    var hi: Double
    var ticks: [(value: Double, label: String)]

    /// A value axis: domain widened to nice ticks; integral ticks for integral data;
    /// zero included when asked; fractions within 0...1 shown as 0–100 % when `format` is percent.
    static func values(_ values: [Double], format: ValueFormat, includeZero: Bool) -> Axis {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
        if format.isPercent && lo >= 0 && hi <= 1 { (lo, hi) = (0, 1) }
        let integral = values.allSatisfy { $0 == $0.rounded() }
        let count = integral ? min(5, max(1, Int((hi - lo).rounded(.up)))) : 5
        let ticks = AxisTicks.ticks(from: lo, to: hi, count: count)
        return Axis(lo: ticks.first ?? lo, hi: ticks.last ?? hi, labelled: ticks, format: format)
    }

    /// A position axis: domain exactly `lo...hi` (widened if degenerate), ticks inside it;
    /// minutes and hours for durations of three minutes or more.
    static func positions(lo: Double, hi: Double, format: ValueFormat) -> Axis {
        let (l, h) = AxisTicks.widened(lo, hi)
        var ticks: [Double]
        if let base = format.secondsPerUnit {
            ticks = AxisTicks.timeTicks(from: l * base, to: h * base, count: 6).map { $0 / base }
        } else {
            ticks = AxisTicks.ticks(from: l, to: h, count: 6)
        }
        let slack = (h - l) * 1e-9
        ticks = ticks.filter { $0 >= l - slack && $0 <= h + slack }
        return Axis(lo: l, hi: h, labelled: ticks, format: format)
    }

    init(lo: Double, hi: Double, ticks: [(value: Double, label: String)]) {
        self.lo = lo
        self.hi = hi
        self.ticks = ticks
    }

    init(lo: Double, hi: Double, labelled ticks: [Double], format: ValueFormat) {
        let reference = ticks.map(abs).max() ?? 0
        let step = AxisTicks.step(of: ticks)
        self.init(lo: lo, hi: hi, ticks: ticks.map {
            ($0, format.format($0, reference: reference, step: step > 0 ? step : nil))
        })
    }
}
