/// What the relay reads from the RTCP it forwards (RFC 3550 §6.4): the sender report's NTP time
/// (for round trips) and the report blocks (what a phone says about the audio it receives).
/// Pure: bytes in, a summary out; anything malformed is skipped, never trusted.
public struct RTCPPacket: Equatable, Sendable {
    /// One reception report block (RFC 3550 §6.4.1).
    public struct ReportBlock: Equatable, Sendable {
        public var ssrc: UInt32
        /// Fraction of packets lost since the previous report, /256.
        public var fractionLost: UInt8
        /// Packets lost since the start (signed 24 bits: duplicates can make it negative).
        public var cumulativeLost: Int32
        /// Interarrival jitter in timestamp units.
        public var jitter: UInt32
        /// The middle 32 bits of the NTP time of the last SR received from the source (0: none).
        public var lastSR: UInt32
        /// Delay since that SR, in 1/65536 s.
        public var delaySinceLastSR: UInt32

        public init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, jitter: UInt32, lastSR: UInt32, delaySinceLastSR: UInt32) {
            self.ssrc = ssrc
            self.fractionLost = fractionLost
            self.cumulativeLost = cumulativeLost
            self.jitter = jitter
            self.lastSR = lastSR
            self.delaySinceLastSR = delaySinceLastSR
        }
    }

    /// The middle 32 bits of the NTP timestamp of a sender report in the compound packet.
    public var senderReportNTP: UInt32?
    public var blocks: [ReportBlock] = []

    /// RFC 5761 §4: on a multiplexed port, a second byte of 200-204 (SR, RR, SDES, BYE, APP) is RTCP.
    public static func looksLikeRTCP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes[0] >> 6 == 2 && (200...204).contains(bytes[1])
    }

    /// Reads a compound RTCP packet; nil when the first packet is not RTCP version 2.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard Self.looksLikeRTCP(bytes) else { return nil }
        var offset = 0
        while offset + 8 <= bytes.count, bytes[offset] >> 6 == 2 {
            let count = Int(bytes[offset] & 0x1F)
            let type = bytes[offset + 1]
            let length = (Int(Self.u16(bytes, offset + 2)) + 1) * 4
            guard offset + length <= bytes.count else { break }
            var blockStart: Int?
            switch type {
            case 200 where length >= 28:  // SR: SSRC, NTP (8), RTP ts, packets, octets, then blocks
                senderReportNTP = Self.u32(bytes, offset + 10)
                blockStart = offset + 28
            case 201 where length >= 8:  // RR: SSRC, then blocks
                blockStart = offset + 8
            default:
                break
            }
            if let start = blockStart {
                for i in 0..<count {
                    let b = start + i * 24
                    guard b + 24 <= offset + length else { break }
                    let lost = Int32(bitPattern: (UInt32(bytes[b + 5]) << 24 | UInt32(bytes[b + 6]) << 16 | UInt32(bytes[b + 7]) << 8)) >> 8
                    blocks.append(ReportBlock(ssrc: Self.u32(bytes, b), fractionLost: bytes[b + 4], cumulativeLost: lost,
                                              jitter: Self.u32(bytes, b + 12), lastSR: Self.u32(bytes, b + 16),
                                              delaySinceLastSR: Self.u32(bytes, b + 20)))
                }
            }
            offset += length
        }
    }

    static func u16(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt16 { UInt16(b[i]) << 8 | UInt16(b[i + 1]) }
    static func u32(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }
}

/// One leg's call quality as its phone reported it in RTCP, seen by the relay: loss and jitter of
/// the audio the phone received from the relay, and the round trip between the relay and the
/// phone (RFC 3550 §6.4.1: the relay notes when it forwarded a sender report to the phone, and
/// the phone's report of it gives back the time it held it).
public struct LegQuality: Equatable, Sendable {
    /// Reports (report blocks) received from the phone.
    public internal(set) var reports = 0
    /// The last report's fraction lost (0...1).
    public internal(set) var fractionLost: Double?
    /// The last report's cumulative packets lost.
    public internal(set) var packetsLost: Int?
    /// The highest interarrival jitter reported, in milliseconds (8 kHz G.711 clock).
    public internal(set) var jitterMs: Double?
    /// The last round trip measured, in milliseconds.
    public internal(set) var rttMs: Double?
    /// Sender reports forwarded to this phone: NTP middle bits -> when (seconds, monotonic).
    private var forwardedReports: [ForwardedReport] = []
    struct ForwardedReport: Equatable, Sendable { var ntp: UInt32; var at: Double }

    public init() {}

    /// A sender report from the other side went out to this leg's phone at `at`.
    public mutating func forwardedSenderReport(ntp: UInt32, at: Double) {
        forwardedReports.append(ForwardedReport(ntp: ntp, at: at))
        if forwardedReports.count > 8 { forwardedReports.removeFirst() }
    }

    /// The phone's report block arrived at `at`.
    public mutating func received(_ block: RTCPPacket.ReportBlock, at: Double, clockRate: Double = 8000) {
        reports += 1
        fractionLost = Double(block.fractionLost) / 256
        packetsLost = Int(block.cumulativeLost)
        let jitter = Double(block.jitter) / clockRate * 1000
        jitterMs = max(jitterMs ?? 0, jitter)
        if block.lastSR != 0, let sent = forwardedReports.last(where: { $0.ntp == block.lastSR }) {
            let rtt = (at - sent.at - Double(block.delaySinceLastSR) / 65536) * 1000
            if rtt >= 0 { rttMs = rtt }
        }
    }
}
