import SIP

/// SIP over TCP and TLS (RFC 3261 §18; `sip.tcp`, `sip.tls`, `sip.connections` in the engine YAML).
/// Both are off unless configured; UDP is always served.
public struct StreamConfig: Sendable, Equatable {
    /// Listen on TCP at the SIP address (the same port as UDP).
    public var tcp = false
    public var tls: TLSConfig?
    /// A connection with no byte either way for this long is closed (`connections.idle_timeout`,
    /// seconds). Phones keep theirs open with CRLF keep-alives (RFC 5626 §4.4.1), which count.
    public var idleTimeout = 600
    /// Connections one source address may hold open to the engine (`connections.per_source`).
    public var perSource = 64
    /// Connections open at once, inbound and outbound (`connections.max`).
    public var maximum = 10_000
    /// How long an outgoing connection (to a phone whose own connection is gone) may take to open.
    public var connectTimeout = 5

    public init() {}

    public var transports: Set<Transport> {
        var s: Set<Transport> = []
        if tcp { s.insert(.tcp) }
        if tls != nil { s.insert(.tls) }
        return s
    }
}

/// SIP over TLS (`sip.tls`): the engine's certificate and key (PEM files), and how it checks the
/// certificate of a phone it connects to.
public struct TLSConfig: Sendable, Equatable {
    public var port = 5061
    public var certificate: String
    public var key: String
    /// Check a phone's certificate when the engine opens the connection (`verify_peer`; on by
    /// default). Off only for test setups with self-made certificates.
    public var verifyPeer = true
    /// Trusted CAs for that check (PEM); nil: the system's.
    public var caFile: String?

    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}
