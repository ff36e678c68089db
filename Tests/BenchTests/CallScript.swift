/// Builds SIP messages and RTP packets for test captures.
enum CallScript {
    static func rtp(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payloadType: UInt8 = 0,
                    marker: Bool = false, payloadBytes: Int = 160) -> [UInt8] {
        [0x80, (marker ? 0x80 : 0) | payloadType] + be16(sequence) + be32(timestamp) + be32(ssrc)
            + [UInt8](repeating: 0xD5, count: payloadBytes)
    }

    static func sdp(ip: String, port: UInt16, payloadTypes: [UInt8] = [0]) -> String {
        "v=0\r\no=- 1 1 IN IP4 \(ip)\r\ns=-\r\nc=IN IP4 \(ip)\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP \(payloadTypes.map(String.init).joined(separator: " "))\r\n"
            + "a=rtpmap:0 PCMU/8000\r\n"
    }

    static func invite(callID: String, from: String, to: String, branch: String, sdp: String) -> [UInt8] {
        Array(("INVITE sip:agent@\(to) SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP \(from):5060;branch=\(branch)\r\n"
            + "From: <sip:caller@\(from)>;tag=a1\r\nTo: <sip:agent@\(to)>\r\n"
            + "Call-ID: \(callID)\r\nCSeq: 1 INVITE\r\nContact: <sip:caller@\(from)>\r\n"
            + "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n" + sdp).utf8)
    }

    static func response(_ status: String, callID: String, from: String, to: String, branch: String,
                         cseq: String = "1 INVITE", sdp: String? = nil) -> [UInt8] {
        var text = "SIP/2.0 \(status)\r\nVia: SIP/2.0/UDP \(from):5060;branch=\(branch)\r\n"
            + "From: <sip:caller@\(from)>;tag=a1\r\nTo: <sip:agent@\(to)>;tag=b2\r\n"
            + "Call-ID: \(callID)\r\nCSeq: \(cseq)\r\n"
        if let sdp {
            text += "Content-Type: application/sdp\r\nContent-Length: \(sdp.utf8.count)\r\n\r\n" + sdp
        } else {
            text += "Content-Length: 0\r\n\r\n"
        }
        return Array(text.utf8)
    }

    static func request(_ method: String, callID: String, from: String, to: String, branch: String,
                        cseq: String) -> [UInt8] {
        Array(("\(method) sip:agent@\(to) SIP/2.0\r\nVia: SIP/2.0/UDP \(from):5060;branch=\(branch)\r\n"
            + "From: <sip:caller@\(from)>;tag=a1\r\nTo: <sip:agent@\(to)>;tag=b2\r\n"
            + "Call-ID: \(callID)\r\nCSeq: \(cseq)\r\nContent-Length: 0\r\n\r\n").utf8)
    }
}
