/// An RTP payload type's encoding name and RTP clock rate.
public struct RTPPayloadFormat: Equatable, Sendable, Codable {
    public var name: String
    /// 0 = unknown: no jitter is computed, as in Wireshark.
    public var clockRate: UInt32

    public init(name: String, clockRate: UInt32) {
        self.name = name
        self.clockRate = clockRate
    }

    /// Static payload types (RFC 3551, IANA), named the way tshark's stream table names them.
    /// G.722 (9) runs an 8000 Hz RTP clock although it samples at 16 kHz (RFC 3551 4.5.2).
    public static func staticType(_ pt: UInt8) -> RTPPayloadFormat? {
        switch pt {
        case 0: RTPPayloadFormat(name: "g711U", clockRate: 8000)
        case 1: RTPPayloadFormat(name: "fs-1016", clockRate: 8000)
        case 2: RTPPayloadFormat(name: "g721", clockRate: 8000)
        case 3: RTPPayloadFormat(name: "GSM", clockRate: 8000)
        case 4: RTPPayloadFormat(name: "g723", clockRate: 8000)
        case 5: RTPPayloadFormat(name: "DVI4 8k", clockRate: 8000)
        case 6: RTPPayloadFormat(name: "DVI4 16k", clockRate: 16000)
        case 7: RTPPayloadFormat(name: "Exp. from Xerox PARC", clockRate: 8000)
        case 8: RTPPayloadFormat(name: "g711A", clockRate: 8000)
        case 9: RTPPayloadFormat(name: "g722", clockRate: 8000)
        case 10: RTPPayloadFormat(name: "16-bit audio, stereo", clockRate: 44100)
        case 11: RTPPayloadFormat(name: "16-bit audio, monaural", clockRate: 44100)
        case 12: RTPPayloadFormat(name: "Qualcomm", clockRate: 8000)
        case 13: RTPPayloadFormat(name: "CN", clockRate: 8000)
        case 14: RTPPayloadFormat(name: "MPEG-I/II Audio", clockRate: 90000)
        case 15: RTPPayloadFormat(name: "g728", clockRate: 8000)
        case 16: RTPPayloadFormat(name: "DVI4 11k", clockRate: 11025)
        case 17: RTPPayloadFormat(name: "DVI4 22k", clockRate: 22050)
        case 18: RTPPayloadFormat(name: "g729", clockRate: 8000)
        case 19: RTPPayloadFormat(name: "CN_OLD", clockRate: 8000)
        case 25: RTPPayloadFormat(name: "CelB", clockRate: 90000)
        case 26: RTPPayloadFormat(name: "JPEG", clockRate: 90000)
        case 28: RTPPayloadFormat(name: "NV", clockRate: 90000)
        case 31: RTPPayloadFormat(name: "h261", clockRate: 90000)
        case 32: RTPPayloadFormat(name: "MPEG-I/II Video", clockRate: 90000)
        case 33: RTPPayloadFormat(name: "MPEG-II TS", clockRate: 90000)
        case 34: RTPPayloadFormat(name: "h263", clockRate: 90000)
        default: nil
        }
    }

    /// The format for `pt` given what SDP mapped. Static types below 96 use the IANA table; a
    /// dynamic type uses its rtpmap, and `telephone-event` gets clock 0 (its timestamp stays
    /// put during an event, RFC 4733 2.2.1, so Wireshark computes no jitter for it).
    public static func resolve(_ pt: UInt8, rtpmap: [UInt8: RTPPayloadFormat]) -> RTPPayloadFormat {
        if pt < 96 {
            return staticType(pt) ?? rtpmap[pt] ?? RTPPayloadFormat(name: "Unknown (\(pt))", clockRate: 0)
        }
        guard var mapped = rtpmap[pt] else { return RTPPayloadFormat(name: "Unknown (\(pt))", clockRate: 0) }
        if mapped.name.lowercased().hasPrefix("telephone-event") { mapped.clockRate = 0 }
        return mapped
    }
}
