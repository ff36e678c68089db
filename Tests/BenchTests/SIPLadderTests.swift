import Testing
@testable import Bench

@Suite struct SIPLadderTests {
    static let caller = ("10.2.0.1", UInt16(5060))
    static let engine = ("10.2.0.2", UInt16(5060))

    /// Two calls; the first has an INVITE and a 200 OK retransmitted, and RTP both ways.
    static func twoCalls() -> CaptureWriter {
        var w = CaptureWriter()
        let sdpCaller = CallScript.sdp(ip: "10.2.0.1", port: 20_000)
        let sdpEngine = CallScript.sdp(ip: "10.2.0.2", port: 30_000)
        let ms: Int64 = 1_000_000
        w.udp(at: 0, from: caller, to: engine, payload: CallScript.invite(
            callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa1", sdp: sdpCaller))
        w.udp(at: 500 * ms, from: caller, to: engine, payload: CallScript.invite(
            callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa1", sdp: sdpCaller))
        w.udp(at: 510 * ms, from: engine, to: caller, payload: CallScript.response(
            "100 Trying", callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa1"))
        w.udp(at: 600 * ms, from: engine, to: caller, payload: CallScript.response(
            "200 OK", callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa1", sdp: sdpEngine))
        w.udp(at: 1100 * ms, from: engine, to: caller, payload: CallScript.response(
            "200 OK", callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa1", sdp: sdpEngine))
        w.udp(at: 1110 * ms, from: caller, to: engine, payload: CallScript.request(
            "ACK", callID: "call-A", from: "10.2.0.1", to: "10.2.0.2", branch: "z9hG4bKa2", cseq: "1 ACK"))
        w.udp(at: 700 * ms, from: ("10.2.0.9", 5070), to: engine, payload: CallScript.request(
            "OPTIONS", callID: "call-B", from: "10.2.0.9", to: "10.2.0.2", branch: "z9hG4bKb1", cseq: "7 OPTIONS"))
        StreamPlan(count: 20, startMs: 650).write(into: &w, from: ("10.2.0.1", 20_000), to: ("10.2.0.2", 30_000), ssrc: 11)
        StreamPlan(count: 20, startMs: 655).write(into: &w, from: ("10.2.0.2", 30_000), to: ("10.2.0.1", 20_000), ssrc: 22)
        w.sortByTime()
        return w
    }

    @Test func dialogsAreGroupedByCallIDWithRetransmissionsFlagged() throws {
        let report = CaptureForensics.analyze(try PcapReader(bytes: Self.twoCalls().classicPcap()))
        #expect(report.dialogs.map(\.callID) == ["call-A", "call-B"])
        let a = report.dialogs[0]
        #expect(a.messages.map(\.firstLine) == [
            "INVITE sip:agent@10.2.0.2 SIP/2.0", "INVITE sip:agent@10.2.0.2 SIP/2.0", "SIP/2.0 100 Trying",
            "SIP/2.0 200 OK", "SIP/2.0 200 OK", "ACK sip:agent@10.2.0.2 SIP/2.0",
        ])
        #expect(a.messages.map(\.retransmission) == [false, true, false, false, true, false])
        #expect(a.messages.map(\.cseq) == ["1 INVITE", "1 INVITE", "1 INVITE", "1 INVITE", "1 INVITE", "1 ACK"])
        #expect(abs(a.messages[3].seconds - 0.6) < 1e-9, "times are on the capture's clock")
        #expect(a.messages[2].source.description == "10.2.0.2:5060")
        #expect(a.mediaEndpoints.map(\.description) == ["10.2.0.1:20000", "10.2.0.2:30000"])
        #expect(a.endpoints.count == 2)
    }

    @Test func sipStatisticsCountAsTsharkDoes() throws {
        let report = CaptureForensics.analyze(try PcapReader(bytes: Self.twoCalls().classicPcap()))
        let s = report.sipStatistics
        #expect(s.messages == 7 && s.resent == 2)
        #expect(s.requests == ["INVITE": 2, "ACK": 1, "OPTIONS": 1])
        #expect(s.responses == ["100 Trying": 1, "200 OK": 2])
        #expect(s.setupTimesMs.count == 1 && abs(s.setupTimesMs[0] - 1110) < 0.01, "first INVITE -> ACK of the 2xx")
        #expect(report.calls.map(\.callID) == ["call-A"])
        #expect(report.otherDialogs == [SIPDialogSummary(method: "OPTIONS", dialogs: 1, messages: 1, responses: [:])])
    }

    @Test func streamsAreTiedToTheirCallThroughSDP() throws {
        let report = CaptureForensics.analyze(try PcapReader(bytes: Self.twoCalls().classicPcap()))
        #expect(report.streams.count == 2)
        #expect(report.streams.allSatisfy { $0.callID == "call-A" && $0.detection == .sdp && $0.packets == 20 })
    }

    @Test func textRenderingDrawsOneArrowPerMessage() throws {
        let report = CaptureForensics.analyze(try PcapReader(bytes: Self.twoCalls().classicPcap()))
        let ladder = report.dialogs[0].renderText()
        let arrows = ladder.split(separator: "\n").filter { $0.contains("->") || $0.contains("<-") }
        #expect(arrows.count == 6)
        #expect(ladder.contains("INVITE (SDP)") && ladder.contains("(retransmission)"))
        #expect(ladder.contains("<") && ladder.contains(">"))
        let text = report.renderText()
        #expect(text.contains("RTP Streams") && text.contains("0x0000000B"))
    }

    @Test func messyMessagesAreStillRead() throws {
        // LF line ends, compact headers, a folded Via, trailing garbage after the body.
        let text = "BYE sip:x@y SIP/2.0\ni: messy-1\nv: SIP/2.0/UDP 1.2.3.4;\n  branch=z9hG4bKm\n"
            + "CSeq:   2    BYE\nl: 0\n\ntrailing"
        var w = CaptureWriter()
        w.udp(at: 0, from: ("1.2.3.4", 5060), to: ("5.6.7.8", 5060), payload: Array(text.utf8))
        w.udp(at: 1, from: ("1.2.3.4", 5060), to: ("5.6.7.8", 5060), payload: Array("NOT SIP AT ALL\r\n\r\n".utf8))
        let report = CaptureForensics.analyze(try PcapReader(bytes: w.classicPcap()))
        #expect(report.sipMessages == 1)
        let message = try #require(report.dialogs.first?.messages.first)
        #expect(report.dialogs.first?.callID == "messy-1")
        #expect(message.cseq == "2 BYE")
    }
}
