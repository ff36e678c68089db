import Bench
import Foundation
import HTMLReport

/// `report.html` for the in-process benches: the text table as printed, and the charts that show
/// the figure beside its bare reference.
enum BenchHTML {
    static func write(title: String, text: String, charts: [Chart], to dir: String) throws -> String {
        var doc = HTMLDocument(title: "ccbench: \(title)", subtitle: "every figure beside a bare reference measured in the same run")
        for c in charts { doc.add(.chart(c)) }
        doc.add(.heading("Table"))
        doc.add(.preformatted(text))
        let path = dir + "/report.html"
        try doc.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func routing(_ r: RoutingBenchResult) -> [Chart] {
        r.points.map { p in
            Chart.percentiles(
                title: "\(p.point): decision latency", yLabel: "latency",
                series: [("call arrival", p.callArrival), ("agent available", p.agentAvailable), ("bare reference", p.bareReference)].map { name, l in
                    (name: name, points: [(50.0, Double(l.p50Nanos) / 1e9), (99.0, Double(l.p99Nanos) / 1e9), (99.9, Double(l.p999Nanos) / 1e9)])
                },
                yFormat: .seconds)
        }
    }

    static func ticks(_ r: TickBenchResult) -> [Chart] {
        [Chart.bars(title: "Tick lateness p99 (engine path vs bare timerfd loop)", yLabel: "p99 lateness",
                    bars: r.points.flatMap { p in
                        [(label: "\(p.calls) engine", value: p.engine.lateness.p99Micros / 1e6), (label: "\(p.calls) bare", value: p.bare.lateness.p99Micros / 1e6)]
                    }, yFormat: .seconds)]
    }

    static func rtp(_ r: RTPBenchResult) -> [Chart] {
        let ramps = [r.bare, r.relay] + (r.relayOneThread.map { [$0] } ?? [])
        return [Chart.lines(title: "Packets relayed per second by bridged calls", xLabel: "calls", yLabel: "packets/s",
                            series: ramps.map { ramp in Series(name: ramp.name, points: ramp.steps.map { (x: Double($0.calls), y: $0.relayedPacketsPerSecond) }) })]
    }
}
