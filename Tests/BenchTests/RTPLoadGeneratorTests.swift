import Foundation
import Testing
@testable import Bench

/// The RTP load generator through the bare relay on loopback: every packet comes back, with the
/// header it was sent with. Behaviour only, no timing thresholds (HOUSE_STYLE).
@Suite(.serialized) struct RTPLoadGeneratorTests {
    @Test func bareRelayReturnsEveryPacketWithItsHeader() throws {
        let generator = try RTPLoadGenerator()
        defer { generator.close() }
        let target = BareRelayTarget(callerPeerPort: generator.callerSidePort, agentPeerPort: generator.agentSidePort)
        defer { target.shutDown() }
        var ports = RTPBenchPortScanner(range: 18_000...18_999)
        try target.grow(to: 5, ports: &ports)
        #expect(target.calls.count == 5)

        target.stepWillStart(seconds: 1)
        let report = generator.run(calls: target.calls, seconds: 0.4, drainSeconds: 0.2)
        target.stepDidEnd()

        #expect(report.calls == 5 && report.streams == 10)
        #expect(report.packetsPerStream == 20)
        #expect(report.packetsSent == 10 * 20)
        #expect(report.packetsReceived == report.packetsSent)
        #expect(report.packetsLost == 0 && report.lossRatio == 0)
        #expect(report.receivedCallerToAgent == 100 && report.receivedAgentToCaller == 100)
        #expect(report.malformedPackets == 0 && report.strayPackets == 0 && report.sendFailures == 0)
        #expect(target.packetsRelayed == report.packetsSent)
        #expect(report.generatorCPUSeconds > 0)

        // The receiver checks every header against the plan (malformed == 0 above); the first one
        // parsed: RTP version 2, PCMU, no marker, 160 bytes of G.711 behind a 12-byte header.
        let header = try #require(report.firstForwarded)
        #expect(header.version == 2)
        #expect(header.payloadType == 0)
        #expect(header.marker == false)
        #expect(header.payloadBytes == 160)
        #expect(header.ssrc & 0xFFFF_0000 == 0x4001_0000)  // the first run's SSRC base
        #expect(header.ssrc & 0xFFFF < 10)
    }

    @Test func headerBytesParseAsSent() {
        var bytes = [UInt8](repeating: 0xFF, count: 172)
        bytes[0] = 0x80
        bytes[1] = 0x80  // marker set, PT 0
        bytes[2] = 0x12; bytes[3] = 0x34
        bytes[4] = 0x00; bytes[5] = 0x00; bytes[6] = 0x01; bytes[7] = 0x40
        bytes[8] = 0xDE; bytes[9] = 0xAD; bytes[10] = 0xBE; bytes[11] = 0xEF
        let header = bytes.withUnsafeBytes { RTPHeaderSample(bytes: $0.baseAddress!, length: $0.count) }
        #expect(header.version == 2)
        #expect(header.marker == true)
        #expect(header.payloadType == 0)
        #expect(header.sequenceNumber == 0x1234)
        #expect(header.timestamp == 320)
        #expect(header.ssrc == 0xDEAD_BEEF)
        #expect(header.payloadBytes == 160)
    }
}
