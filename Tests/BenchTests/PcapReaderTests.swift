import Testing
@testable import Bench

@Suite struct PcapReaderTests {
    static func capture(link: CaptureWriter.Link) -> (CaptureWriter, StreamPlan) {
        var plan = StreamPlan(count: 40)
        plan.delay(3, by: 4.5)
        plan.drop([10])
        var writer = CaptureWriter(link: link)
        plan.write(into: &writer, from: ("192.168.1.10", 4000), to: ("192.168.1.20", 6000), ssrc: 0xABCD)
        return (writer, plan)
    }

    @Test(arguments: [
        (false, false), (true, false), (false, true), (true, true),
    ])
    func classicPcapInEitherByteOrderAndResolution(bigEndian: Bool, nanosecond: Bool) throws {
        let (writer, plan) = Self.capture(link: .ethernet)
        let reader = try PcapReader(bytes: writer.classicPcap(bigEndian: bigEndian, nanosecond: nanosecond))
        #expect(reader.format == .pcap)
        #expect(reader.packetCount == plan.packets.count)
        var times: [Int64] = []
        reader.forEachPacket { times.append($0.timestampNanos) }
        #expect(times == writer.frames.map(\.nanos))
        let stream = try #require(CaptureForensics.analyze(reader).streams.first)
        RTPStreamAnalyzerTests.compare(stream, ExpectedRTPFigures(plan.packets))
    }

    @Test(arguments: [CaptureWriter.Link.linuxCooked, .linuxCookedV2, .rawIPv4, .ethernet])
    func linkTypes(link: CaptureWriter.Link) throws {
        let (writer, plan) = Self.capture(link: link)
        let report = CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap()))
        #expect(report.skippedPackets == 0)
        let stream = try #require(report.streams.first)
        #expect(stream.key.source.description == "192.168.1.10:4000")
        #expect(stream.key.destination.description == "192.168.1.20:6000")
        RTPStreamAnalyzerTests.compare(stream, ExpectedRTPFigures(plan.packets))
    }

    @Test func pcapngWithNanosecondResolutionAndASimplePacketBlock() throws {
        let (writer, plan) = Self.capture(link: .ethernet)
        let extra = writer.frame(from: ("1.2.3.4", 1), to: ("5.6.7.8", 2), payload: [1, 2, 3])
        let reader = try PcapReader(bytes: writer.pcapng(withSimpleBlock: extra))
        #expect(reader.format == .pcapng)
        var times: [Int64] = []
        reader.forEachPacket { times.append($0.timestampNanos) }
        #expect(Array(times.dropLast()) == writer.frames.map(\.nanos))
        #expect(times.count == plan.packets.count + 1)
        let report = CaptureForensics.analyze(reader)
        #expect(report.udpDatagrams == plan.packets.count + 1)
        let stream = try #require(report.streams.first)
        RTPStreamAnalyzerTests.compare(stream, ExpectedRTPFigures(plan.packets))
    }

    @Test func truncatedLastRecordEndsTheFileQuietly() throws {
        let (writer, plan) = Self.capture(link: .ethernet)
        let bytes = writer.classicPcap()
        let reader = try PcapReader(bytes: Array(bytes.dropLast(50)))
        #expect(reader.packetCount == plan.packets.count - 1)
    }

    @Test func notACaptureIsReportedByMagic() {
        #expect(throws: CaptureFileError.notACapture(magic: 0x6C6C_6568)) {
            try PcapReader(bytes: Array("hello world".utf8))
        }
        #expect(throws: CaptureFileError.self) { try PcapReader(contentsOf: "/nonexistent/file.pcap") }
    }

    @Test func ipFragmentsAndNonUDPAreSkipped() throws {
        var writer = CaptureWriter()
        var fragment = writer.frame(from: ("1.1.1.1", 1), to: ("2.2.2.2", 2), payload: [0x80, 0, 0, 1])
        fragment[14 + 6] = 0x20  // more fragments
        var tcp = writer.frame(from: ("1.1.1.1", 1), to: ("2.2.2.2", 2), payload: [])
        tcp[14 + 9] = 6
        writer.frames = [.init(nanos: CaptureWriter.base, bytes: fragment), .init(nanos: CaptureWriter.base, bytes: tcp)]
        let report = CaptureForensics.analyze(try PcapReader(bytes: writer.classicPcap()))
        #expect(report.packets == 2 && report.skippedPackets == 2 && report.udpDatagrams == 0)
    }
}
