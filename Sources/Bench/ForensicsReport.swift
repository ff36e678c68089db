/// What `CaptureForensics` found in one capture; encodes into report.json.
public struct ForensicsReport: Codable, Sendable, Equatable {
    public var file: String?
    public var format: PcapReader.Format
    /// Frames in the file.
    public var packets: Int
    public var udpDatagrams: Int
    /// Frames that were not IPv4/UDP on a supported link type (or were IP fragments).
    public var skippedPackets: Int
    public var sipMessages: Int
    public var rtpPackets: Int
    /// Unix time of the first frame, in seconds; all other times are relative to it.
    public var firstFrameUnixSeconds: Double
    /// Every Call-ID's messages (report.json keeps them all).
    public var dialogs: [SIPDialogLadder]
    /// INVITE dialogs as calls, each customer leg with the agent legs ccengine linked to it.
    public var calls: [SIPCallFlow]
    /// REGISTER, MESSAGE, OPTIONS... dialogs, counted per method.
    public var otherDialogs: [SIPDialogSummary]
    /// As tshark's sip,stat.
    public var sipStatistics: SIPStatistics
    /// In order of each stream's first packet.
    public var streams: [RTPStreamReport]

    /// One ladder per call (both legs, capture clock), each followed by its streams; the other
    /// dialogs per method; the sip,stat counts; then the full RTP table.
    public func renderText() -> String {
        var out = "Capture \(file ?? "(memory)") (\(format.rawValue)): \(packets) frames, "
            + "\(udpDatagrams) UDP, \(sipMessages) SIP, \(rtpPackets) RTP, \(skippedPackets) skipped; "
            + "times are seconds since the first frame\n\n"
        for call in calls {
            out += call.renderText()
            let legs = Set(call.legs)
            let mine = streams.filter { $0.callID.map(legs.contains) == true }
            for s in mine {
                out += "  RTP \(s.key): \(s.packets) packets, lost \(s.lost), max jitter "
                    + "\(fmt(s.maxJitterMs, 3)) ms\n"
            }
            out += "\n"
        }
        if !otherDialogs.isEmpty {
            out += "Other dialogs (not drawn):\n"
            for o in otherDialogs {
                out += "  \(o.method): \(o.dialogs) dialogs, \(o.messages) messages; responses "
                    + o.responses.sorted { $0.key < $1.key }.map { "\($0.key) x\($0.value)" }.joined(separator: ", ") + "\n"
            }
            out += "\n"
        }
        out += sipStatistics.renderText() + "\n"
        out += rtpTable()
        return out
    }

    /// The RTP streams in the layout of `tshark -q -z rtp,streams`, plus Call-ID.
    public func rtpTable() -> String {
        var out = "========================= RTP Streams ========================\n"
        out += lpad("Start time", 13) + lpad("End time", 14) + lpad("Src IP addr", 16) + lpad("Port", 6)
            + lpad("Dest IP addr", 16) + lpad("Port", 6) + lpad("SSRC", 11) + lpad("Payload", 17)
            + lpad("Pkts", 6) + lpad("Lost", 13) + lpad("Min Delta(ms)", 16) + lpad("Mean Delta(ms)", 16)
            + lpad("Max Delta(ms)", 16) + lpad("Min Jitter(ms)", 16) + lpad("Mean Jitter(ms)", 16)
            + lpad("Max Jitter(ms)", 16) + " Problems?  Dups  OutOfOrder  Call-ID\n"
        for s in streams {
            let lost = "\(s.lost) (\(fmt(s.lostPercent, 1))%)"
            out += lpad(fmt(s.startSeconds, 6), 13) + lpad(fmt(s.endSeconds, 6), 14)
                + lpad(s.key.source.address.description, 16) + lpad("\(s.key.source.port)", 6)
                + lpad(s.key.destination.address.description, 16) + lpad("\(s.key.destination.port)", 6)
                + " 0x" + hex(s.key.ssrc) + lpad(s.payloadName, 17) + lpad("\(s.packets)", 6)
                + lpad(lost, 13) + lpad(fmt(s.minDeltaMs, 3), 16) + lpad(fmt(s.meanDeltaMs, 3), 16)
                + lpad(fmt(s.maxDeltaMs, 3), 16) + lpad(fmt(s.minJitterMs, 3), 16)
                + lpad(fmt(s.meanJitterMs, 3), 16) + lpad(fmt(s.maxJitterMs, 3), 16)
                + (s.problem ? " X         " : "           ") + lpad("\(s.duplicates)", 5)
                + lpad("\(s.outOfOrder)", 12) + "  " + (s.callID ?? "-") + "\n"
        }
        out += "==============================================================\n"
        return out
    }
}

func lpad(_ s: String, _ width: Int) -> String {
    s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
}
