/// An SDP session description (RFC 4566), the part the engine needs: addresses, ports, codecs.
/// Parsed by libosip2's SDP parser (`SessionDescription+OSIP.swift`), printed here.
public struct SessionDescription: Sendable, Equatable {
    public var originUser: String = "-"
    public var sessionID: UInt64
    public var sessionVersion: UInt64
    public var originAddress: String
    public var sessionName: String = "-"
    /// Session-level `c=` address.
    public var connectionAddress: String?
    public var media: [MediaDescription]

    public init(sessionID: UInt64, sessionVersion: UInt64, originAddress: String, connectionAddress: String?, media: [MediaDescription]) {
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.originAddress = originAddress
        self.connectionAddress = connectionAddress
        self.media = media
    }

    /// The first audio stream, where the engine and the phones put their RTP.
    public var audio: MediaDescription? { audioIndex.map { media[$0] } }

    /// The position of `audio` among the m-lines (RFC 3264 answers keep the offer's order).
    public var audioIndex: Int? { media.firstIndex { $0.type == "audio" && $0.port != 0 } }

    /// Sets the audio stream's direction attribute (RFC 4566 §6), replacing the one it had.
    public mutating func setAudioDirection(_ direction: String) {
        guard let i = audioIndex else { return }
        media[i].attributes.removeAll { MediaDescription.directions.contains($0.name) }
        media[i].attributes.append(.init(direction))
    }

    /// Address for a media line: its own `c=` or the session's.
    public func address(of m: MediaDescription) -> String? { m.connectionAddress ?? connectionAddress }

    public var text: String {
        var s = "v=0\r\n"
        s += "o=\(originUser) \(sessionID) \(sessionVersion) IN IP4 \(originAddress)\r\n"
        s += "s=\(sessionName)\r\n"
        if let c = connectionAddress { s += "c=IN IP4 \(c)\r\n" }
        s += "t=0 0\r\n"
        for m in media { s += m.text }
        return s
    }

    public var bytes: [UInt8] { Array(text.utf8) }
}

public struct MediaDescription: Sendable, Equatable {
    public var type: String
    public var port: Int
    public var proto: String
    public var formats: [Int]
    public var connectionAddress: String?
    /// `a=` lines in order; rtpmap/fmtp included.
    public var attributes: [Attribute]

    /// RTP and RTCP on one port (RFC 5761 `a=rtcp-mux`).
    public var rtcpMux: Bool { attributes.contains { $0.name == "rtcp-mux" } }

    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: String?
        public init(_ name: String, _ value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public init(type: String = "audio", port: Int, proto: String = "RTP/AVP", formats: [Int], connectionAddress: String? = nil, attributes: [Attribute] = []) {
        self.type = type
        self.port = port
        self.proto = proto
        self.formats = formats
        self.connectionAddress = connectionAddress
        self.attributes = attributes
    }

    /// Codec name of a payload type: its rtpmap, or the RFC 3551 static assignment.
    public func encodingName(of pt: Int) -> String? {
        for a in attributes where a.name == "rtpmap" {
            guard let v = a.value, let space = v.utf8.firstIndex(of: 0x20), Int(v[..<space]) == pt else { continue }
            let name = v[v.utf8.index(after: space)...]
            return name[..<(name.utf8.firstIndex(of: 0x2F) ?? name.endIndex)].uppercased()
        }
        return StaticPayloadType.name(pt)
    }

    public static let directions = ["sendrecv", "sendonly", "recvonly", "inactive"]

    /// The direction attribute (RFC 4566 §6), default sendrecv.
    public var direction: String {
        attributes.first { Self.directions.contains($0.name) }?.name ?? "sendrecv"
    }

    /// The audio codecs of this stream in order (encoding names, telephone-event and comfort noise left out).
    public var codecNames: [String] {
        formats.compactMap { encodingName(of: $0) }.filter { $0 != "TELEPHONE-EVENT" && $0 != "CN" }
    }

    /// The payload type of telephone-event (RFC 4733), if the stream carries it.
    public var telephoneEvent: Int? { formats.first { encodingName(of: $0) == "TELEPHONE-EVENT" } }

    var text: String {
        var s = "m=\(type) \(port) \(proto) \(formats.map(String.init).joined(separator: " "))\r\n"
        if let c = connectionAddress { s += "c=IN IP4 \(c)\r\n" }
        for a in attributes { s += a.value.map { "a=\(a.name):\($0)\r\n" } ?? "a=\(a.name)\r\n" }
        return s
    }
}

/// RFC 3551 static payload types the engine knows by number.
public enum StaticPayloadType {
    public static func name(_ pt: Int) -> String? {
        switch pt {
        case 0: "PCMU"
        case 3: "GSM"
        case 8: "PCMA"
        case 9: "G722"
        case 18: "G729"
        default: nil
        }
    }
}
