/// The transport a SIP message travels on (RFC 3261 §18): datagrams, or a stream (TCP, TLS over
/// TCP) framed by Content-Length.
public enum Transport: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case udp, tcp, tls

    /// As written in a Via's sent-protocol (`SIP/2.0/TCP`), case-insensitively.
    public init?(viaName: String) {
        self.init(rawValue: viaName.lowercased())
    }

    /// From a SIP URI's `transport` parameter (RFC 3261 §19.1.1); nil when absent or unknown.
    public init?(of uri: SIPURI) {
        guard let name = uri.parameter("transport") else { return nil }
        self.init(rawValue: name.lowercased())
    }

    public var viaName: String { rawValue.uppercased() }

    /// Streams deliver in order or fail: no retransmission timers (§17.1.1.2, §17.2.1).
    public var isReliable: Bool { self != .udp }

    /// RFC 3261 §19.1.2: 5061 for TLS, 5060 otherwise.
    public var defaultPort: Int { self == .tls ? 5061 : 5060 }

    public var description: String { viaName }
}
