/// Why bytes from the network are not a usable SIP message. The peer's fault, never ours.
public enum SIPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not SIP at all (no SIP start line): drop the datagram, no response is possible.
    case notSIP(String)
    /// Looks like SIP but is malformed; a 400 can be built when the request carries Via, From, To,
    /// Call-ID and CSeq (see `SIPCodec.errorResponse`).
    case malformed(String)
    /// Larger than the configured maximum (answered 513 where possible, RFC 3261 §18.1.1).
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .notSIP(let why): "not a SIP message: \(why)"
        case .malformed(let why): "malformed SIP message: \(why)"
        case .tooLarge(let n): "SIP message too large (\(n) bytes)"
        }
    }
}
