/// A transport address (host and port): where a SIP message came from or goes to. The one
/// host:port type of the package, from the transaction layer up to the engine's driver and the
/// simulator's phones.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.utf8.contains(0x3A) ? "[\(host)]:\(port)" : "\(host):\(port)" }

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
