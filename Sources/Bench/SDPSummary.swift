/// What an SDP body says about audio: where this side wants to receive RTP, and the clock rate
/// of each payload type it maps with `a=rtpmap`.
struct SDPSummary: Equatable {
    /// `c=` address (media-level over session-level) with each non-zero `m=audio` port.
    var audioEndpoints: [UDPEndpoint] = []
    /// Payload type -> (encoding name, clock rate) from `a=rtpmap:<pt> <name>/<rate>`.
    var rtpmap: [UInt8: RTPPayloadFormat] = [:]

    static func parse(_ body: Substring) -> SDPSummary? {
        var summary = SDPSummary()
        var sessionAddress: IPv4Address?
        var media: (port: UInt16, address: IPv4Address?, audio: Bool)?
        func closeMedia() {
            if let m = media, m.audio, m.port != 0, let address = m.address ?? sessionAddress {
                summary.audioEndpoints.append(UDPEndpoint(address: address, port: m.port))
            }
        }
        for raw in body.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.trimmingSpaces()
            if line.hasPrefix("c=") {
                // c=IN IP4 192.0.2.1[/ttl]
                let parts = line.dropFirst(2).split(separator: " ")
                guard parts.count >= 3, parts[1] == "IP4",
                    let address = IPv4Address(parts[2].split(separator: "/").first ?? parts[2])
                else { continue }
                if media != nil { media!.address = address } else { sessionAddress = address }
            } else if line.hasPrefix("m=") {
                closeMedia()
                // m=audio 49170[/2] RTP/AVP 0 8 101
                let parts = line.dropFirst(2).split(separator: " ")
                let port = parts.count >= 2 ? UInt16(parts[1].split(separator: "/").first ?? "") : nil
                media = (port ?? 0, nil, parts.first == "audio")
            } else if line.hasPrefix("a=rtpmap:") {
                let parts = line.dropFirst(9).split(separator: " ", maxSplits: 1)
                guard parts.count == 2, let pt = UInt8(parts[0]), pt < 128 else { continue }
                let encoding = parts[1].split(separator: "/")
                let rate = encoding.count >= 2 ? UInt32(encoding[1]) ?? 0 : 0
                summary.rtpmap[pt] = RTPPayloadFormat(name: String(encoding.first ?? ""), clockRate: rate)
            }
        }
        closeMedia()
        return summary.audioEndpoints.isEmpty && summary.rtpmap.isEmpty ? nil : summary
    }
}
