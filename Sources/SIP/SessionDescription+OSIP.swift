import COSIP

public enum SDPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self { case .malformed(let why): "malformed SDP: \(why)" }
    }
}

extension SessionDescription {
    /// Parses SDP through libosip2's `sdp_message_parse`.
    public static func parse(_ bytes: [UInt8]) throws(SDPParseError) -> SessionDescription {
        var sdpOpt: UnsafeMutablePointer<sdp_message_t>?
        guard sdp_message_init(&sdpOpt) == 0, let sdp = sdpOpt else { throw .malformed("parser could not start") }
        defer { sdp_message_free(sdp) }
        let text = String(decoding: bytes, as: UTF8.self)
        guard sdp_message_parse(sdp, text) == 0 else { throw .malformed("libosip2 rejected the SDP") }

        let sessionID = string(sdp_message_o_sess_id_get(sdp)).flatMap { UInt64($0) } ?? 0
        let version = string(sdp_message_o_sess_version_get(sdp)).flatMap { UInt64($0) } ?? 0
        var desc = SessionDescription(
            sessionID: sessionID, sessionVersion: version,
            originAddress: string(sdp_message_o_addr_get(sdp)) ?? "0.0.0.0",
            connectionAddress: string(sdp_message_c_addr_get(sdp, -1, 0)),
            media: [])
        desc.originUser = string(sdp_message_o_username_get(sdp)) ?? "-"
        desc.sessionName = string(sdp_message_s_name_get(sdp)) ?? "-"
        var pos: Int32 = 0
        while sdp_message_endof_media(sdp, pos) == 0 {
            guard let type = string(sdp_message_m_media_get(sdp, pos)),
                  let port = string(sdp_message_m_port_get(sdp, pos)).flatMap({ Int($0) })
            else { throw .malformed("media line \(pos + 1) has no type or port") }
            var formats: [Int] = []
            var k: Int32 = 0
            while let f = string(sdp_message_m_payload_get(sdp, pos, k)) {
                if let n = Int(f) { formats.append(n) }
                k += 1
            }
            var attrs: [MediaDescription.Attribute] = []
            k = 0
            while let a = sdp_message_attribute_get(sdp, pos, k) {
                attrs.append(.init(string(a.pointee.a_att_field) ?? "", string(a.pointee.a_att_value)))
                k += 1
            }
            desc.media.append(MediaDescription(
                type: type, port: port, proto: string(sdp_message_m_proto_get(sdp, pos)) ?? "RTP/AVP",
                formats: formats, connectionAddress: string(sdp_message_c_addr_get(sdp, pos, 0)), attributes: attrs))
            pos += 1
        }
        return desc
    }
}
