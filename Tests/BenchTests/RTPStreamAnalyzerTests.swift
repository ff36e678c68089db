import Testing
@testable import Bench

@Suite struct RTPStreamAnalyzerTests {
    static let caller = ("10.1.0.1", UInt16(40000))
    static let agent = ("10.1.0.2", UInt16(50000))

    /// Loss, a duplicate, a reordered pair and network delay on one stream.
    static func impairedPlan() -> StreamPlan {
        var plan = StreamPlan(count: 120)
        for (i, ms) in [(5, 3.0), (6, 7.5), (7, 1.25), (40, 12.0), (90, 4.0), (91, 0.5)] { plan.delay(i, by: ms) }
        plan.drop([20, 21, 22, 60])
        plan.duplicate(30, after: 2)
        plan.reorder(70)
        return plan
    }

    static func compare(_ s: RTPStreamReport, _ e: ExpectedRTPFigures) {
        #expect(s.packets == e.packets)
        #expect(s.expected == Int64(e.expected))
        #expect(s.lost == Int64(e.lost))
        #expect(s.duplicates == e.duplicates)
        #expect(s.outOfOrder == e.outOfOrder)
        #expect(abs(s.minDeltaMs - e.minDelta) < 0.001)
        #expect(abs(s.meanDeltaMs - e.meanDelta) < 0.001)
        #expect(abs(s.maxDeltaMs - e.maxDelta) < 0.001)
        #expect(abs(s.minJitterMs - e.minJitter) < 0.001)
        #expect(abs(s.meanJitterMs - e.meanJitter) < 0.001)
        #expect(abs(s.maxJitterMs - e.maxJitter) < 0.001)
    }

    @Test func lossDuplicatesReorderingAndJitterMatchTheIndependentFigures() throws {
        let plan = Self.impairedPlan()
        var writer = CaptureWriter()
        plan.write(into: &writer, from: Self.caller, to: Self.agent, ssrc: 0xCAFE)
        let report = CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap()))
        #expect(report.streams.count == 1)
        let stream = try #require(report.streams.first)
        let expected = ExpectedRTPFigures(plan.packets)
        #expect(expected.lost == 3)  // 4 dropped, 1 duplicated
        #expect(expected.duplicates == 1 && expected.outOfOrder == 1)
        Self.compare(stream, expected)
        #expect(stream.key.ssrc == 0xCAFE)
        #expect(stream.detection == .heuristic)
        #expect(stream.problem)
    }

    @Test func sequenceNumbersWrapAround() throws {
        var plan = StreamPlan(count: 100, firstSequence: 65_490)
        plan.drop([50])  // sequence 65540 = 4 after the wrap
        plan.delay(10, by: 2)
        var writer = CaptureWriter()
        plan.write(into: &writer, from: Self.caller, to: Self.agent, ssrc: 7)
        let stream = try #require(CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap())).streams.first)
        let expected = ExpectedRTPFigures(plan.packets)
        #expect(expected.expected == 100 && expected.lost == 1)
        Self.compare(stream, expected)
    }

    @Test func aCleanStreamHasNoLossAndNoJitter() throws {
        let plan = StreamPlan(count: 50)
        var writer = CaptureWriter()
        plan.write(into: &writer, from: Self.caller, to: Self.agent, ssrc: 9)
        let stream = try #require(CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap())).streams.first)
        #expect(stream.packets == 50 && stream.lost == 0 && stream.duplicates == 0)
        #expect(abs(stream.maxJitterMs) < 0.001 && abs(stream.meanDeltaMs - 20) < 0.001)
        #expect(!stream.problem)
    }

    @Test func streamsWithoutSIPAreFoundByTheHeuristic() throws {
        var writer = CaptureWriter()
        StreamPlan(count: 30).write(into: &writer, from: Self.caller, to: Self.agent, ssrc: 1)
        StreamPlan(count: 30, firstSequence: 7, startMs: 105).write(
            into: &writer, from: Self.agent, to: Self.caller, ssrc: 2)
        // Not RTP: version-2-looking bytes whose "sequence numbers" never follow each other,
        // a DNS-like datagram, and RTCP (payload type 200 = 72 with the marker bit).
        for i in 0..<20 {
            var junk = CallScript.rtp(sequence: UInt16(i * 977 % 65_536), timestamp: 0, ssrc: 3)
            junk[1] = 0x11
            writer.udp(at: Int64(i) * 30_000_000, from: ("10.9.9.9", 9), to: ("10.9.9.8", 9), payload: junk)
            writer.udp(at: Int64(i) * 30_000_000 + 1, from: ("10.9.9.9", 53), to: ("10.9.9.8", 53),
                       payload: [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77, 0x77])
            writer.udp(at: Int64(i) * 30_000_000 + 2, from: Self.caller, to: Self.agent,
                       payload: [0x80, 200, 0, 6] + [UInt8](repeating: 0, count: 24))
        }
        writer.sortByTime()
        let report = CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap()))
        #expect(report.dialogs.isEmpty)
        #expect(report.streams.map(\.key.ssrc).sorted() == [1, 2])
        #expect(report.streams.allSatisfy { $0.detection == .heuristic && $0.packets == 30 && $0.lost == 0 })
        #expect(report.streams.allSatisfy { $0.callID == nil })
    }
}
