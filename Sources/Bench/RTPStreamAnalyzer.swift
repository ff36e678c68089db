/// Finds RTP streams among UDP datagrams and keeps tshark-compatible statistics for each.
///
/// A datagram is RTP when its source or destination was announced in an SDP seen earlier in
/// the capture (as Wireshark sets up an RTP conversation from SDP), or, with no SDP for it, when
/// it passes the `rtp_udp`-style heuristic: version 2, at least 12 bytes, payload type not
/// 72-76 (RTCP), and its (addresses, ports, SSRC) stream shows two consecutive sequence numbers
/// within its first `heuristicWindow` packets. Packets held while a stream is on probation are
/// replayed into its statistics once it qualifies, so no packet is lost to the heuristic.
struct RTPStreamAnalyzer {
    struct Stream {
        var key: RTPStreamKey
        var statistics = RTPStreamStatistics()
        var callID: String?
        var detection: RTPStreamReport.Detection
        var rtpmap: [UInt8: RTPPayloadFormat]
        var payloadName = ""
        /// The last payload type's clock rate, so the per-packet path skips the format lookup.
        var cachedType: UInt8 = 255
        var cachedClock: UInt32 = 0
    }

    /// A packet of a stream on probation.
    private struct HeldPacket {
        var arrivalMs: Double
        var sequence: UInt16
        var timestamp: UInt32
        var payloadType: UInt8
        var marker: Bool
    }

    private struct Candidate {
        var held: [HeldPacket] = []
        var rejected = false
    }

    /// Media endpoint announced in SDP -> the call and its payload mapping.
    private var learned: [UDPEndpoint: (callID: String?, rtpmap: [UInt8: RTPPayloadFormat])] = [:]
    private var streamIndex: [RTPStreamKey: Int] = [:]
    private var candidates: [RTPStreamKey: Candidate] = [:]
    private(set) var streams: [Stream] = []
    let heuristicWindow = 16

    mutating func learn(_ sdp: SDPSummary, callID: String?) {
        for endpoint in sdp.audioEndpoints { learned[endpoint] = (callID, sdp.rtpmap) }
    }

    /// Offers one datagram; returns whether it was taken as RTP.
    @discardableResult
    mutating func offer(_ datagram: UDPDatagram, arrivalMs: Double) -> Bool {
        let p = datagram.payload
        guard p.count >= 12, p[0] >> 6 == 2 else { return false }
        let marker = p[1] & 0x80 != 0
        let pt = p[1] & 0x7F
        guard !(72...76).contains(pt), p.count >= 12 + Int(p[0] & 0x0F) * 4 else { return false }
        let sequence = LinkLayerDecoder.be16(p, 2)
        let timestamp = LinkLayerDecoder.be32(p, 4)
        let key = RTPStreamKey(
            source: datagram.source, destination: datagram.destination, ssrc: LinkLayerDecoder.be32(p, 8))
        let packet = HeldPacket(
            arrivalMs: arrivalMs, sequence: sequence, timestamp: timestamp, payloadType: pt, marker: marker)
        if let i = streamIndex[key] {
            record(packet, into: i)
            return true
        }
        if let media = learned[datagram.destination] ?? learned[datagram.source] {
            let i = open(key, callID: media.callID, rtpmap: media.rtpmap, detection: .sdp)
            for held in candidates.removeValue(forKey: key)?.held ?? [] { record(held, into: i) }
            record(packet, into: i)
            return true
        }
        return probe(packet, key: key)
    }

    /// Heuristic: hold packets until two consecutive sequence numbers show up.
    private mutating func probe(_ packet: HeldPacket, key: RTPStreamKey) -> Bool {
        var candidate = candidates[key] ?? Candidate()
        guard !candidate.rejected else { return false }
        let consecutive = candidate.held.contains { $0.sequence &+ 1 == packet.sequence }
        candidate.held.append(packet)
        if consecutive {
            candidates[key] = nil
            let i = open(key, callID: nil, rtpmap: [:], detection: .heuristic)
            for held in candidate.held { record(held, into: i) }
            return true
        }
        if candidate.held.count >= heuristicWindow {
            candidate = Candidate(held: [], rejected: true)
        }
        candidates[key] = candidate
        return false
    }

    private mutating func open(
        _ key: RTPStreamKey, callID: String?, rtpmap: [UInt8: RTPPayloadFormat],
        detection: RTPStreamReport.Detection
    ) -> Int {
        streams.append(Stream(key: key, callID: callID, detection: detection, rtpmap: rtpmap))
        streamIndex[key] = streams.count - 1
        return streams.count - 1
    }

    private mutating func record(_ packet: HeldPacket, into i: Int) {
        if streams[i].cachedType != packet.payloadType {
            let format = RTPPayloadFormat.resolve(packet.payloadType, rtpmap: streams[i].rtpmap)
            if streams[i].statistics.packets == 0 { streams[i].payloadName = format.name }
            streams[i].cachedType = packet.payloadType
            streams[i].cachedClock = format.clockRate
        }
        streams[i].statistics.add(
            arrivalMs: packet.arrivalMs, sequence: packet.sequence, timestamp: packet.timestamp,
            payloadType: packet.payloadType, marker: packet.marker, clockRate: streams[i].cachedClock)
    }
}
