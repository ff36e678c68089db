/// RFC 3264 offer/answer: the answer the engine gives to an offer, and the check of a peer's
/// answer against the engine's own offer. Pure functions on `SessionDescription`.
public enum OfferAnswer {
    /// RFC 3264 §6.1: the answer's direction for an offered direction.
    public static func answerDirection(to offered: String) -> String {
        switch offered {
        case "sendonly": "recvonly"
        case "recvonly": "sendonly"
        case "inactive": "inactive"
        default: "sendrecv"
        }
    }

    /// The answer to `offer` (RFC 3264 §6): one m-line per offered m-line, in the offer's order.
    /// The offer's audio stream (`SessionDescription.audio`) is accepted at `address:port` with
    /// those of its payload types whose codec is in `codecs` (the offer's numbers and order), and
    /// its telephone-event when `telephoneEvent` is set; its direction answers the offered one
    /// (`direction` overrides). Every other stream (video, a second audio, an unknown medium) is
    /// rejected with port 0. Nil when the audio stream has none of `codecs`.
    /// `rtcpMux`: accept an offered `a=rtcp-mux` (RFC 5761 §5.1.1: only when offered).
    public static func answer(to offer: SessionDescription, address: String, port: Int, codecs: [String], telephoneEvent: Bool,
                              sessionID: UInt64, version: UInt64, direction: String? = nil, rtcpMux: Bool = false) -> SessionDescription? {
        guard let index = offer.audioIndex else { return nil }
        let offered = offer.media[index]
        let wanted = Set(codecs.map { $0.uppercased() })
        var formats = offered.formats.filter { wanted.contains(offered.encodingName(of: $0) ?? "") }
        guard !formats.isEmpty else { return nil }
        if telephoneEvent, let te = offered.telephoneEvent { formats.append(te) }
        let attributes = offered.attributes.filter { a in
            guard a.name == "rtpmap" || a.name == "fmtp", let v = a.value, let pt = Int(v.prefix { $0 != " " }) else { return false }
            return formats.contains(pt)
        } + [.init("ptime", "20"), .init(direction ?? answerDirection(to: offered.direction))]
            + (rtcpMux && offered.rtcpMux ? [.init("rtcp-mux")] : [])
        let media = offer.media.enumerated().map { i, m -> MediaDescription in
            guard i == index else { return MediaDescription(type: m.type, port: 0, proto: m.proto, formats: m.formats) }
            return MediaDescription(type: m.type, port: port, proto: m.proto, formats: formats, attributes: attributes)
        }
        return SessionDescription(sessionID: sessionID, sessionVersion: version, originAddress: address, connectionAddress: address, media: media)
    }

    /// Why a peer's answer does not fit the offer it answers.
    public enum Mismatch: Error, Equatable, Sendable, CustomStringConvertible {
        case noAnswer
        case mediaCount(offered: Int, answered: Int)
        case mediaType(line: Int, offered: String, answered: String)
        case notOffered(line: Int, payload: Int, codec: String?)
        case noAudioCodec
        case direction(line: Int, offered: String, answered: String)

        public var description: String {
            switch self {
            case .noAnswer: "the 2xx carries no SDP answer"
            case .mediaCount(let o, let a): "\(a) m-lines answer \(o) offered (RFC 3264 §6 wants the same number)"
            case .mediaType(let i, let o, let a): "m-line \(i + 1) is \(a), offered \(o)"
            case .notOffered(let i, let pt, let codec): "m-line \(i + 1) answers payload \(pt)\(codec.map { " (\($0))" } ?? ""), which was not offered"
            case .noAudioCodec: "no audio codec accepted (telephone-event alone carries no voice)"
            case .direction(let i, let o, let a): "m-line \(i + 1) answers \(a) to \(o)"
            }
        }
    }

    /// Checks a peer's `answer` against our `offer` (RFC 3264 §6, §6.1): as many m-lines, in
    /// order and of the same media; accepted streams use only offered codecs (a dynamic payload
    /// number may differ if its codec was offered); the audio stream keeps at least one voice
    /// codec; the direction is one the offered direction allows. Nil when it fits.
    public static func check(_ answer: SessionDescription, against offer: SessionDescription) -> Mismatch? {
        guard answer.media.count == offer.media.count else { return .mediaCount(offered: offer.media.count, answered: answer.media.count) }
        for (i, (o, a)) in zip(offer.media, answer.media).enumerated() {
            guard o.type.lowercased() == a.type.lowercased() else { return .mediaType(line: i, offered: o.type, answered: a.type) }
            guard a.port != 0 else { continue }
            let offeredNames = Set(o.formats.compactMap { o.encodingName(of: $0) })
            for pt in a.formats where !o.formats.contains(pt) || o.encodingName(of: pt) != a.encodingName(of: pt) {
                guard pt >= 96, let name = a.encodingName(of: pt), offeredNames.contains(name) else {
                    return .notOffered(line: i, payload: pt, codec: a.encodingName(of: pt))
                }
            }
            let allowed: Set<String> = switch o.direction {
            case "sendonly": ["recvonly", "inactive"]
            case "recvonly": ["sendonly", "inactive"]
            case "inactive": ["inactive"]
            default: Set(MediaDescription.directions)
            }
            guard allowed.contains(a.direction) else { return .direction(line: i, offered: o.direction, answered: a.direction) }
        }
        guard let audio = answer.audio, !audio.codecNames.isEmpty else { return .noAudioCodec }
        return nil
    }
}
