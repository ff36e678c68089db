import Testing
@testable import HTMLReport

/// The SIP ladder of `ccbench pcap`'s report: well-formed SVG, a lifeline per participant, an
/// arrow (line and head) per message, retransmissions marked in red and named.
struct SequenceDiagramTests {
    @Test func ladderHasALifelinePerParticipantAndAnArrowPerMessage() {
        let d = SequenceDiagram(title: "Call-ID abc<1>", participants: ["127.0.0.1:7000", "127.0.0.1:5060", "127.0.0.1:7100"], messages: [
            .init(from: 0, to: 1, label: "INVITE sip:support@127.0.0.1", time: "+0.000"),
            .init(from: 1, to: 0, label: "SIP/2.0 100 Trying", time: "+0.001"),
            .init(from: 0, to: 1, label: "INVITE sip:support@127.0.0.1", time: "+0.500", highlighted: true),
            .init(from: 1, to: 2, label: "INVITE sip:alice@127.0.0.1", time: "+0.501"),
        ])
        let svg = d.svg()
        #expect(MarkupChecker.problems(svg) == [])
        #expect(MarkupChecker.count("<line", in: svg) == 3)      // lifelines
        #expect(MarkupChecker.count("<path", in: svg) == 8)      // shaft + head per message
        #expect(MarkupChecker.count("#c0392b", in: svg) == 3)    // the retransmission's shaft, head and label
        #expect(svg.contains("(retransmission)"))
        #expect(svg.contains("Call-ID abc&lt;1&gt;"))
        let doc = HTMLDocument(title: "t")
        var d2 = doc
        d2.add(.sequence(d))
        #expect(MarkupChecker.problems(d2.render()) == [])
    }
}
