/// Reads a capture once and builds the SIP ladders (one per Call-ID) and the RTP stream table
/// of `tshark -q -z rtp,streams`, in pure Swift and several times faster than tshark.
public enum CaptureForensics {
    /// Reads and analyses the file at `path`.
    public static func analyze(path: String) throws(CaptureFileError) -> ForensicsReport {
        var report = analyze(try PcapReader(contentsOf: path))
        report.file = path
        return report
    }

    /// Analyses a capture already in memory (the part the bench tool times without disk I/O).
    public static func analyze(_ reader: PcapReader) -> ForensicsReport {
        var ladders = SIPLadderBuilder()
        var statistics = SIPStatistics()
        var rtp = RTPStreamAnalyzer()
        var packets = 0, udp = 0, skipped = 0, sip = 0
        var firstTime: Int64 = 0
        reader.forEachPacket { packet in
            if packets == 0 { firstTime = packet.timestampNanos }
            packets += 1
            guard let datagram = LinkLayerDecoder.udp(in: packet) else {
                skipped += 1
                return
            }
            udp += 1
            let relative = packet.timestampNanos - firstTime
            // tshark's nstime_to_msec: seconds * 1000 + nanoseconds / 1e6, as doubles.
            let ms = Double(relative / 1_000_000_000) * 1000 + Double(relative % 1_000_000_000) / 1e6
            if let message = SIPMessageSummary.parse(datagram.payload) {
                sip += 1
                let resent = ladders.add(message, frame: packet.number, seconds: ms / 1000,
                                         source: datagram.source, destination: datagram.destination)
                statistics.add(message, unixSeconds: Double(packet.timestampNanos) / 1e9, retransmission: resent)
                if let sdp = message.sdp { rtp.learn(sdp, callID: message.callID) }
            } else {
                rtp.offer(datagram, arrivalMs: ms)
            }
        }
        let streams = rtp.streams.map { RTPStreamReport($0) }
            .sorted {
                ($0.startSeconds, $0.key.source, $0.key.destination)
                    < ($1.startSeconds, $1.key.source, $1.key.destination)
            }
        let (calls, others) = SIPCallFlows.build(ladders.dialogs)
        return ForensicsReport(
            file: nil, format: reader.format, packets: packets, udpDatagrams: udp, skippedPackets: skipped,
            sipMessages: sip, rtpPackets: streams.reduce(0) { $0 + $1.packets },
            firstFrameUnixSeconds: Double(firstTime) / 1e9, dialogs: ladders.dialogs, calls: calls,
            otherDialogs: others, sipStatistics: statistics, streams: streams)
    }
}
