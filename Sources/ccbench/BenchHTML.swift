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

    static func calls(_ steps: [CallSetupBench.Step]) -> [Chart] {
        [Chart.lines(title: "Call setups completed per step (engine vs SIPp uac -> uas)", xLabel: "offered calls/s", yLabel: "calls",
                     series: [
                        Series(name: "engine ok", points: steps.map { (x: Double($0.rate), y: Double($0.successful)) }),
                        Series(name: "engine failed", points: steps.map { (x: Double($0.rate), y: Double($0.failed)) }),
                        Series(name: "SIPp reference ok", points: steps.map { (x: Double($0.rate), y: Double($0.referenceSuccessful)) }),
                     ])]
    }

    static func endToEnd(engine: LatencyFigures, bare: LatencyFigures) -> [Chart] {
        [Chart.percentiles(
            title: "Customer INVITE sent -> agent INVITE received", yLabel: "latency",
            series: [("engine", engine), ("bare UDP forwarder", bare)].map { name, f in
                (name: name, points: [(50.0, f.p50 / 1e9), (99.0, f.p99 / 1e9), (99.9, f.p999 / 1e9)])
            },
            yFormat: .seconds)]
    }

    /// `ccbench pcap`: the capture's summary, one ladder per call (the customer leg and its agent
    /// legs, lanes named by user, times on the capture's clock; the first 100 calls), the other
    /// dialogs per method, the sip,stat counts and the RTP stream table with tshark's columns.
    static func forensics(_ r: ForensicsReport, text: String, to dir: String) throws -> String {
        let name = ((r.file ?? "capture") as NSString).lastPathComponent
        var doc = HTMLDocument(title: "ccbench pcap: \(name)",
                               subtitle: "calls as ladders (both legs, seconds since the capture's first frame), RTP streams as tshark -z rtp,streams counts them")
        doc.add(.keyValues([("frames", "\(r.packets)"), ("UDP datagrams", "\(r.udpDatagrams)"), ("SIP messages", "\(r.sipMessages)"),
                            ("RTP packets", "\(r.rtpPackets)"), ("calls", "\(r.calls.count)"), ("other dialogs", "\(r.otherDialogs.reduce(0) { $0 + $1.dialogs })"),
                            ("RTP streams", "\(r.streams.count)")]))
        doc.add(.heading("Calls"))
        if r.calls.isEmpty { doc.add(.paragraph("No INVITE in this capture.")) }
        for call in r.calls.prefix(100) {
            let messages = call.messages.map { m in
                SequenceDiagram.Message(
                    from: call.lanes.firstIndex { $0.endpoint == m.source } ?? 0, to: call.lanes.firstIndex { $0.endpoint == m.destination } ?? 0,
                    label: SIPDialogLadder.label(m), time: String(format: "%.3f s", m.seconds), highlighted: m.retransmission)
            }
            let title = "Call-ID \(call.callID)" + (call.legs.count > 1 ? " and \(call.legs.count - 1) agent leg\(call.legs.count == 2 ? "" : "s")" : "")
            doc.add(.sequence(SequenceDiagram(title: title, participants: call.lanes.map { "\($0.name) \($0.endpoint)" }, messages: messages)))
        }
        if r.calls.count > 100 { doc.add(.paragraph("\(r.calls.count - 100) more calls: see report.json and the text below.")) }
        doc.add(.heading("Other dialogs"))
        doc.add(.table(Table(header: ["method", "dialogs", "messages", "responses"],
                             rows: r.otherDialogs.map { [$0.method, "\($0.dialogs)", "\($0.messages)", $0.responses.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")] },
                             caption: "REGISTER, MESSAGE, OPTIONS and other dialogs are counted, not drawn.")))
        doc.add(.heading("SIP statistics (as tshark -z sip,stat)"))
        let st = r.sipStatistics
        var kv: [(String, String)] = [("SIP messages", "\(st.messages)"), ("resent", "\(st.resent)")]
        kv += st.requests.sorted { $0.key < $1.key }.map { ("request \($0.key)", "\($0.value)") }
        kv += st.responses.sorted { $0.key < $1.key }.map { ("response \($0.key)", "\($0.value)") }
        if let s = st.setupSummaryMs {
            kv.append(("setup time INVITE → ACK of its 2xx (ms): mean / min / max", "\(s.mean) / \(s.min) / \(s.max) over \(st.setupTimesMs.count) calls"))
        }
        doc.add(.keyValues(kv))
        doc.add(.heading("RTP streams"))
        doc.add(.table(Table(
            header: ["source", "destination", "SSRC", "payload", "packets", "expected", "lost", "duplicates", "out of order",
                     "mean delta ms", "max delta ms", "max jitter ms", "mean jitter ms", "call"],
            rows: r.streams.map { st in
                [st.key.source.description, st.key.destination.description, String(format: "0x%08X", st.key.ssrc), st.payloadName,
                 "\(st.packets)", "\(st.expected)", "\(st.lost)", "\(st.duplicates)", "\(st.outOfOrder)",
                 String(format: "%.3f", st.meanDeltaMs), String(format: "%.3f", st.maxDeltaMs), String(format: "%.3f", st.maxJitterMs),
                 String(format: "%.3f", st.meanJitterMs), st.callID ?? ""]
            })))
        doc.add(.heading("Text"))
        doc.add(.preformatted(text))
        let path = dir + "/report.html"
        try doc.write(to: URL(fileURLWithPath: path))
        return path
    }
}
