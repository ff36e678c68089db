import Foundation
import Testing
@testable import HTMLReport

/// A report shaped like ccsim's and ccbench's, from a small deterministic synthetic run; written
/// to `$TMPDIR/htmlreport-demo.html` for looking at.
@Suite struct DemoReportTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        mutating func exponential(mean: Double) -> Double { -mean * log(1 - next()) }
    }

    /// One hour, 14 agents with 30 s wrap-up, FIFO with abandonment; arrivals peak mid-hour.
    static func simulate() -> [CallTimeline] {
        var rng = SplitMix(state: 42)
        var agentsFree = [Double](repeating: 0, count: 14)
        var calls: [CallTimeline] = []
        var t = 0.0
        while true {
            let rate = 0.045 + 0.03 * sin(Double.pi * t / 3600)
            t += rng.exponential(mean: 1 / rate)
            guard t < 3600 else { break }
            let i = agentsFree.indices.min { agentsFree[$0] < agentsFree[$1] }!
            let answer = max(t, agentsFree[i])
            let patience = rng.exponential(mean: 120)
            if answer - t <= patience {
                let end = answer + rng.exponential(mean: 200)
                agentsFree[i] = end + 30
                calls.append(CallTimeline(offeredAt: t, answeredAt: answer, endedAt: end, outcome: "answered", agent: "agent-\(i + 1)"))
            } else {
                calls.append(CallTimeline(offeredAt: t, endedAt: t + patience, outcome: "abandoned"))
            }
        }
        return calls
    }

    static func document() -> HTMLDocument {
        let calls = simulate()
        var doc = HTMLDocument(title: "ccsim — peak-hour scenario", subtitle: "1 h simulated, 14 agents, seed 42 (synthetic demo)")
        let answered = calls.filter { $0.answeredAt != nil }
        let waits = CallTimelines.waitTimes(calls)
        doc.add(.heading("Summary"))
        doc.add(.keyValues([
            ("calls offered", ValueFormat.integer.format(Double(calls.count))),
            ("answered", ValueFormat.integer.format(Double(answered.count))),
            ("mean wait", ValueFormat.seconds.format(waits.reduce(0, +) / Double(max(1, waits.count)))),
            ("scenario", "Scenarios/peak-hour.yaml <with & \"quotes\">"),
        ]))
        doc.add(.checks([
            Check("service level ≥ 80% in 20 s", passed: false, detail: "72.4% overall"),
            Check("abandonment ≤ 10%", passed: true, detail: "6.1%"),
            Check("no call lost", passed: true),
        ]))
        doc.add(.heading("Queue and agents"))
        let queue = CallTimelines.queueLength(calls, step: 10)
        let busy = CallTimelines.busyAgents(calls, step: 10)
        doc.add(.chart(.lines(title: "Calls waiting and agents busy", xLabel: "simulated time", yLabel: "calls",
                              series: [queue, busy], xFormat: .seconds)))
        let wrapUp = Histogramming.level(answered.compactMap { c in c.endedAt.map { ($0, $0 + 30) } }, step: 10,
                                         from: queue.points.first?.x, to: queue.points.last?.x, name: "wrap-up")
        let idle = Series(name: "idle", points: zip(busy.points, wrapUp.points).map { ($0.x, max(0, 14 - $0.y - $1.y)) })
        doc.add(.chart(.stackedArea(title: "Agents by state", xLabel: "simulated time", yLabel: "agents",
                                    series: [busy.renamed("talking"), wrapUp, idle], xFormat: .seconds)))
        doc.add(.chart(.lines(title: "Service level per 5 min (answered within 20 s)", xLabel: "interval start",
                              yLabel: "service level",
                              series: [CallTimelines.serviceLevel(calls, interval: 300, within: 20)],
                              xFormat: .seconds, yFormat: .percent)))
        doc.add(.chart(.histogram(title: "Wait before answer", xLabel: "wait", bins: Histogramming.niceBins(waits, count: 25),
                                  xFormat: .seconds)))
        let occupancy = CallTimelines.occupancy(calls, span: 3600)
        doc.add(.chart(.bars(title: "Occupancy per agent", yLabel: "busy", bars: occupancy.map { ($0.agent, $0.busyFraction) },
                             yFormat: .percent)))
        doc.add(.table(Table(header: ["outcome", "calls", "share"], rows: CallTimelines.outcomes(calls).map {
            [$0.outcome, String($0.count), ValueFormat.percent.format(Double($0.count) / Double(calls.count))]
        }, caption: "Outcomes")))
        addBench(to: &doc)
        return doc
    }

    static func addBench(to doc: inout HTMLDocument) {
        var rng = SplitMix(state: 7)
        func sample(base: Double, mean: Double, tail: Double, tailMean: Double) -> [Double] {
            (0..<20_000).map { _ -> Double in
                let body: Double = base + rng.exponential(mean: mean)
                let outlier: Double = rng.next() < tail ? rng.exponential(mean: tailMean) : 0
                return body + outlier
            }
        }
        let routing = sample(base: 2, mean: 1.5, tail: 0.01, tailMean: 40)
        let relay = sample(base: 8, mean: 4, tail: 0.002, tailMean: 300)
        doc.add(.heading("ccbench"))
        doc.add(.paragraph("Latency in microseconds; percentiles by nearest rank."))
        doc.add(.chart(.percentiles(title: "Latency distribution", series: [
            ("routing decision", Histogramming.percentiles(routing, at: [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99])),
            ("RTP relay", Histogramming.percentiles(relay, at: [50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99])),
        ], yFormat: .microseconds)))
        doc.add(.chart(.histogram(title: "Routing decision latency", xLabel: "latency",
                                  bins: Histogramming.niceBins(routing.filter { $0 < 20 }, count: 40), xFormat: .microseconds)))
        doc.add(.chart(.bars(title: "Throughput ramp", xLabel: "offered streams", yLabel: "packets/s",
                             bars: [50, 100, 200, 400, 800].map { (n: Int) -> (label: String, value: Double) in
                                 let x = Double(n)
                                 return ("\(n)", x * 50 * (1 - x / 4000))
                             })))
        doc.add(.preformatted("ccbench routing --quick\n  p50 3.1µs  p99 9.8µs  <ok>"))
    }

    @Test func demoReportIsWellFormedAndWritten() throws {
        let doc = Self.document()
        let html = doc.render()
        #expect(MarkupChecker.problems(html) == [])
        #expect(MarkupChecker.count("<svg", in: html) == 8)
        #expect(!html.contains("no data"))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("htmlreport-demo.html")
        try doc.write(to: url)
    }
}

extension Series {
    func renamed(_ name: String) -> Series { Series(name: name, points: points) }
}
