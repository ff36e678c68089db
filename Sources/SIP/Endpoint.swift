/// A transport address (host and port): where a SIP message came from or goes to. The one
/// host:port type of the package, from the transaction layer up to the engine's driver and the
/// simulator's phones. For SIP it also names the transport (like reSIProcate's `Tuple`): a
/// message from `tcp 127.0.0.7:40112` came on that connection, and a response to it goes back on
/// it (RFC 3261 §18.2.2). Media peers are always UDP.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var transport: Transport

    public init(host: String, port: Int, transport: Transport = .udp) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// `host:port`, with `;transport=tcp` for a stream.
    public var description: String {
        let address = host.utf8.contains(0x3A) ? "[\(host)]:\(port)" : "\(host):\(port)"
        return transport == .udp ? address : address + ";transport=\(transport.rawValue)"
    }

    /// Where a SIP URI points without DNS (RFC 3263 §4 on an IP address): its host and port over
    /// its `transport` parameter (UDP by default; `sips:` means TLS), the transport's default port.
    public init(uri: SIPURI) {
        let transport = Transport(of: uri) ?? (uri.scheme.lowercased() == "sips" ? .tls : .udp)
        self.init(host: uri.host, port: uri.port ?? transport.defaultPort, transport: transport)
    }

    /// The same address over another transport.
    public func over(_ transport: Transport) -> Endpoint { Endpoint(host: host, port: port, transport: transport) }

    /// Parses `host:port` (port optional, default given).
    public init?(_ text: String, defaultPort: Int) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: self.init(host: String(parts[0]), port: defaultPort)
        case 2:
            guard let p = Int(parts[1]), (1...65535).contains(p), !parts[0].isEmpty else { return nil }
            self.init(host: String(parts[0]), port: p)
        default: return nil
        }
    }
}
