/// Where a SIP message came from or goes to. The engine has its own `Endpoint` type in another
/// module and converts at the driver; the transaction layer only needs host and port.
public struct TransportAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.utf8.contains(0x3A) ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
