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

    public func target(contactHost: String, contactPort: Int?, source: Endpoint) -> Endpoint {
        switch self {
        case .never:
            return Endpoint(host: contactHost, port: contactPort ?? 5060)
        case .always:
            return source
        case .auto:
            guard let port = contactPort else { return source }
            if Self.cannotBeSender(contactHost, source: source.host) { return Endpoint(host: source.host, port: source.port) }
            return Endpoint(host: contactHost, port: port)
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
