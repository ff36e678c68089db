/// A message sequence ("ladder") diagram: one lifeline per participant, one arrow per message in
/// time order, as SIP people draw call flows. Rendered as inline SVG like the charts.
public struct SequenceDiagram: Sendable {
    public struct Message: Sendable {
        public var from: Int
        public var to: Int
        public var label: String
        /// Shown at the left margin, e.g. "+0.512 s".
        public var time: String
        /// Drawn dashed and red (a retransmission).
        public var highlighted: Bool

        public init(from: Int, to: Int, label: String, time: String, highlighted: Bool = false) {
            self.from = from
            self.to = to
            self.label = label
            self.time = time
            self.highlighted = highlighted
        }
    }

    public var title: String
    public var participants: [String]
    public var messages: [Message]

    public init(title: String, participants: [String], messages: [Message]) {
        self.title = title
        self.participants = participants
        self.messages = messages
    }

    public func svg() -> String {
        var c = SVGCanvas()
        // Lane names are centred on their lifelines: keep the outer ones' half-width inside the canvas.
        let halfName = min(150, Double(participants.map(\.count).max() ?? 0) * 3.3 + 6)
        let left = max(90.0, halfName), right = SVGCanvas.width - max(20, halfName), top = 46.0, rowHeight = 26.0
        let n = max(participants.count, 1)
        let spacing = n > 1 ? (right - left) / Double(n - 1) : 0
        func x(_ i: Int) -> Double { n > 1 ? left + Double(i) * spacing : (left + right) / 2 }
        let bottom = top + Double(messages.count + 1) * rowHeight
        c.text(title, x: 10, y: 18, size: 13, bold: true)
        for (i, p) in participants.enumerated() {
            c.text(p, x: x(i), y: top - 10, anchor: "middle", size: 11, bold: true)
            c.line(x(i), top - 4, x(i), bottom, stroke: "#bbb")
        }
        for (k, m) in messages.enumerated() {
            let y = top + Double(k + 1) * rowHeight
            let x1 = x(m.from), x2 = x(m.to)
            let color = m.highlighted ? "#c0392b" : "#2c6fbb"
            c.text(m.time, x: 4, y: y + 4, size: 10, fill: "#777")
            c.path("M\(SVGCanvas.num(x1)),\(SVGCanvas.num(y)) L\(SVGCanvas.num(x2)),\(SVGCanvas.num(y))", stroke: color,
                   width: m.highlighted ? 1 : 1.5, title: m.label)
            let dir = x2 >= x1 ? -1.0 : 1.0
            c.path("M\(SVGCanvas.num(x2)),\(SVGCanvas.num(y)) L\(SVGCanvas.num(x2 + 7 * dir)),\(SVGCanvas.num(y - 4)) L\(SVGCanvas.num(x2 + 7 * dir)),\(SVGCanvas.num(y + 4)) Z",
                   fill: color)
            c.text(m.label + (m.highlighted ? " (retransmission)" : ""), x: (x1 + x2) / 2, y: y - 5, anchor: "middle", size: 10,
                   fill: m.highlighted ? "#c0392b" : "#333")
        }
        return c.svg(height: bottom + 12, title: title)
    }
}
