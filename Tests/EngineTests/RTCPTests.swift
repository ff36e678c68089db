import Glibc
import Logging
import Media
import NIOConcurrencyHelpers
import NIOPosix
import Testing

/// RTCP through the relay (RFC 3550 §6.4, §11): what it reads from reports, and the relay on
/// real loopback sockets forwarding RTCP on the ports above RTP and measuring each leg.
struct RTCPTests {
    /// An SR (SSRC `ssrc`, NTP middle 32 bits `ntp`) with one report block, or an RR when `ntp` is nil.
    static func report(ssrc: UInt32, ntp: UInt32?, lostFraction: UInt8, cumulative: Int32, jitter: UInt32, lsr: UInt32, dlsr: UInt32) -> [UInt8] {
        func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
        let block = be32(0xABCD) + [lostFraction] + Array(be32(UInt32(bitPattern: cumulative) & 0xFF_FFFF).suffix(3))
            + be32(1000) + be32(jitter) + be32(lsr) + be32(dlsr)
        let body: [UInt8] = ntp.map { n in be32(ssrc) + be32(n >> 16) + be32(n << 16) + be32(160) + be32(50) + be32(8000) } ?? be32(ssrc)
        let words = (4 + body.count + block.count) / 4 - 1
        return [0x81, ntp == nil ? 201 : 200, UInt8(words >> 8), UInt8(words & 0xFF)] + body + block
            + [0x81, 202, 0, 1] + be32(ssrc)  // an SDES chunk header as phones send (compound)
    }

    @Test func sendersAndReceiversReportsAreRead() throws {
        let sr = Self.report(ssrc: 7, ntp: 0x1234_5678, lostFraction: 64, cumulative: -3, jitter: 80, lsr: 0x1111_2222, dlsr: 32768)
        let packet = try #require(sr.withUnsafeBytes { RTCPPacket($0) })
        #expect(packet.senderReportNTP == 0x1234_5678)
        #expect(packet.blocks == [.init(ssrc: 0xABCD, fractionLost: 64, cumulativeLost: -3, jitter: 80, lastSR: 0x1111_2222, delaySinceLastSR: 32768)])
        let rr = Self.report(ssrc: 9, ntp: nil, lostFraction: 0, cumulative: 12, jitter: 8, lsr: 0, dlsr: 0)
        let r = try #require(rr.withUnsafeBytes { RTCPPacket($0) })
        #expect(r.senderReportNTP == nil && r.blocks.first?.cumulativeLost == 12)
        // RTP (PT 0) is not RTCP; a truncated compound packet yields what is whole.
        #expect([0x80, 0x00, 0, 1, 0, 0, 0, 0].withUnsafeBytes { RTCPPacket($0) } == nil)
        #expect(Array(sr.prefix(30)).withUnsafeBytes { RTCPPacket($0) }?.blocks.isEmpty == true)
    }

    @Test func aLegsRoundTripIsTheReportsDelayLessTheTimeThePhoneHeldTheSenderReport() {
        var q = LegQuality()
        q.forwardedSenderReport(ntp: 0xAAAA_0000, at: 100.000)
        // The phone answered 0.5 s after receiving it (DLSR 32768/65536 s); its report reached us at 100.530.
        q.received(.init(ssrc: 1, fractionLost: 26, cumulativeLost: 4, jitter: 40, lastSR: 0xAAAA_0000, delaySinceLastSR: 32768), at: 100.530)
        #expect(abs((q.rttMs ?? 0) - 30) < 0.001)
        #expect(q.packetsLost == 4 && abs((q.fractionLost ?? 0) - 26.0 / 256) < 1e-9)
        #expect(q.jitterMs == 5)  // 40 timestamp units at 8 kHz
        #expect(q.reports == 1)
        // A report of an SR we never forwarded gives no round trip.
        var other = LegQuality()
        other.received(.init(ssrc: 1, fractionLost: 0, cumulativeLost: 0, jitter: 0, lastSR: 0x0BAD_0000, delaySinceLastSR: 0), at: 1)
        #expect(other.rttMs == nil)
    }

    /// A UDP socket on a kernel-chosen even port whose odd neighbour is bound too (RTP + RTCP).
    final class Phone {
        let rtp: Int32, rtcp: Int32, port: Int
        init?() {
            for _ in 0..<64 {
                let p = Int.random(in: 40_000...59_998) & ~1
                guard let a = Self.bind(p) else { continue }
                guard let b = Self.bind(p + 1) else { close(a); continue }
                (rtp, rtcp, port) = (a, b, p)
                return
            }
            return nil
        }
        deinit { close(rtp); close(rtcp) }
        static func bind(_ port: Int) -> Int32? {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port)).bigEndian
            sa.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0 else { close(fd); return nil }
            var tv = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return fd
        }
        func send(_ bytes: [UInt8], from fd: Int32, to port: Int) {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(port)).bigEndian
            sa.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &sa) { a in a.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        func receive(_ fd: Int32) -> [UInt8]? {
            var buf = [UInt8](repeating: 0, count: 2048)
            let n = recv(fd, &buf, buf.count, 0)
            return n > 0 ? Array(buf[..<n]) : nil
        }
    }

    /// An even port with the three above it free right now (the relay binds all four).
    static func fourFreePorts() -> Int? {
        for _ in 0..<64 {
            let p = Int.random(in: 40_000...59_996) & ~1
            let fds = (p...p + 3).compactMap { Phone.bind($0) }
            fds.forEach { close($0) }
            if fds.count == 4 { return p }
        }
        return nil
    }

    struct NoFreePorts: Error {}

    /// A relay with one call bridged between two test phones (peers set and applied).
    struct Bridge {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let relay: RTPRelay
        let caller: Phone, agent: Phone
        let relayCaller: Int

        init(call: String) throws {
            relay = RTPRelay(group: group, host: "127.0.0.1", threads: 1, logger: Logger(label: "test"))
            guard let c = Phone(), let a = Phone(), let p = RTCPTests.fourFreePorts() else {
                relay.shutdown()
                try? group.syncShutdownGracefully()
                throw NoFreePorts()
            }
            (caller, agent, relayCaller) = (c, a, p)
            try relay.open(call: call, callerPort: p, agentPort: p + 2).wait()
            relay.setPeer(call: call, leg: .caller, host: "127.0.0.1", port: c.port)
            relay.setPeer(call: call, leg: .agent, host: "127.0.0.1", port: a.port)
            relay.settle()
        }

        func close() {
            relay.shutdown()
            try? group.syncShutdownGracefully()
        }
    }

    /// The agent's SR reaches the caller's RTCP port through the relay's RTCP ports; the caller's
    /// RR of it comes back to the agent; closing the call hands over the caller leg's figures
    /// with a round trip measured at the relay. RTP still goes RTP port to RTP port.
    @Test func theRelayForwardsRTCPOnThePortsAboveAndMeasuresEachLeg() throws {
        let b = try Bridge(call: "c")
        defer { b.close() }
        let (relay, caller, agent, relayCaller, relayAgent) = (b.relay, b.caller, b.agent, b.relayCaller, b.relayCaller + 2)

        let rtp: [UInt8] = [0x80, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9] + [UInt8](repeating: 0xFF, count: 160)
        agent.send(rtp, from: agent.rtp, to: relayAgent)
        #expect(caller.receive(caller.rtp) == rtp, "RTP did not go RTP port to RTP port")

        let sr = Self.report(ssrc: 2, ntp: 0x5555_0000, lostFraction: 0, cumulative: 0, jitter: 16, lsr: 0, dlsr: 0)
        agent.send(sr, from: agent.rtcp, to: relayAgent + 1)
        #expect(caller.receive(caller.rtcp) == sr, "the agent's SR did not reach the caller's RTCP port")
        let rr = Self.report(ssrc: 1, ntp: nil, lostFraction: 13, cumulative: 2, jitter: 24, lsr: 0x5555_0000, dlsr: 0)
        caller.send(rr, from: caller.rtcp, to: relayCaller + 1)
        #expect(agent.receive(agent.rtcp) == rr, "the caller's RR did not reach the agent's RTCP port")

        let closed = NIOLockedValueBox<RTPRelay.CallQuality?>(nil)
        relay.delete(call: "c") { q in closed.withLockedValue { $0 = q } }
        relay.settle()
        let q = try #require(closed.withLockedValue { $0 })
        #expect(q.caller.reports == 1 && q.caller.packetsLost == 2 && q.caller.jitterMs == 3)
        #expect((q.caller.rttMs ?? -1) >= 0 && (q.caller.rttMs ?? 1e9) < 1000, "caller leg round trip: \(String(describing: q.caller.rttMs))")
        #expect(q.agent.reports == 1 && q.agent.jitterMs == 2 && q.agent.rttMs == nil)
    }

    /// A payload map renumbers RTP both ways (telephone-event 101 on the caller's side is 96 on
    /// the agent's), keeps the marker bit, and leaves other payload types and RTCP alone.
    @Test func theRelayRenumbersMappedPayloadTypesBothWays() throws {
        let b = try Bridge(call: "m")
        defer { b.close() }
        let (relay, caller, agent, relayCaller, relayAgent) = (b.relay, b.caller, b.agent, b.relayCaller, b.relayCaller + 2)
        relay.setPayloadMap(call: "m", callerToAgent: [101: 96])
        relay.settle()
        func rtp(_ pt: UInt8, marker: Bool) -> [UInt8] { [0x80, (marker ? 0x80 : 0) | pt, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9, 1, 0, 0, 0] }
        caller.send(rtp(101, marker: true), from: caller.rtp, to: relayCaller)
        let markedTelephoneEvent: UInt8 = 0x80 | 96
        #expect(agent.receive(agent.rtp)?[1] == markedTelephoneEvent)
        agent.send(rtp(96, marker: false), from: agent.rtp, to: relayAgent)
        #expect(caller.receive(caller.rtp)?[1] == 101)
        caller.send(rtp(0, marker: false), from: caller.rtp, to: relayCaller)
        #expect(agent.receive(agent.rtp)?[1] == 0, "PCMU is not renumbered")
    }
}
