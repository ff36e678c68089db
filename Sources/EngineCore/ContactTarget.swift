import SIP

/// Where to send requests for a registered Contact, given the address the REGISTER came from.
/// Kamailio's `fix_nated_contact` idea with RFC 3581: the Contact as registered is kept (so
/// third-party registration works), and the packet's source replaces it only when the policy says so.
public enum NATPolicy: String, Sendable, CaseIterable {
    /// Use the source only when the Contact has no port or names an address that cannot be the
    /// sender's (unspecified, or a private/loopback address while the packet came from elsewhere).
    case auto
    /// Always the Contact, as registered.
    case never
    /// Always the packet's source address and port.
    case always

    /// A phone that registered or called over TCP or TLS is reached over that connection while it
    /// lives, whatever the policy (RFC 5626 §5.3's flow reuse: behind NAT it is the only way in;
    /// the driver opens a new connection to the Contact once it is gone). Otherwise the Contact's
    /// `transport` parameter names the transport (RFC 3263 §4.1), UDP by default.
    public func target(contact: SIPURI, source: Endpoint) -> Endpoint {
        if source.transport.isReliable { return source }
        let transport = Transport(of: contact) ?? .udp
        switch self {
        case .never:
            return Endpoint(host: contact.host, port: contact.port ?? transport.defaultPort, transport: transport)
        case .always:
            return source
        case .auto:
            guard let port = contact.port else { return source }
            if Self.cannotBeSender(contact.host, source: source.host) { return source }
            return Endpoint(host: contact.host, port: port, transport: transport)
        }
    }

    static func cannotBeSender(_ host: String, source: String) -> Bool {
        if host == source { return false }
        if host == "0.0.0.0" || host.isEmpty { return true }
        guard let octets = ipv4(host) else { return false }  // a name: trust it
        let sourceIsLocal = ipv4(source).map(isPrivateOrLoopback) ?? false
        // A private or loopback Contact seen from a public source is behind NAT.
        return isPrivateOrLoopback(octets) && !sourceIsLocal
    }

    static func ipv4(_ s: String) -> [Int]? {
        let parts = s.split(separator: ".").compactMap { Int($0) }
        return parts.count == 4 && parts.allSatisfy { (0...255).contains($0) } ? parts : nil
    }

    static func isPrivateOrLoopback(_ o: [Int]) -> Bool {
        o[0] == 10 || o[0] == 127 || (o[0] == 172 && (16...31).contains(o[1])) || (o[0] == 192 && o[1] == 168)
    }
}
