/// One Via header value (RFC 3261 §20.42), with the RFC 3581 `rport`/`received` parameters.
public struct Via: Hashable, Sendable, CustomStringConvertible {
    public var transport: String
    public var host: String
    public var port: Int?
    public var parameters: [Parameter]

    public init(transport: String = "UDP", host: String, port: Int?, branch: String, rport: Bool = true) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = [Parameter("branch", branch)]
        if rport { parameters.append(Parameter("rport")) }
    }

    public init(transport: String, host: String, port: Int?, parameters: [Parameter]) {
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public var branch: String? { parameter("branch") }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    public func hasParameter(_ name: String) -> Bool {
        parameters.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    public mutating func setParameter(_ name: String, _ value: String?) {
        if let i = parameters.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) {
            parameters[i].value = value
        } else {
            parameters.append(Parameter(name, value))
        }
    }

    public mutating func removeParameter(_ name: String) {
        parameters.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The transport named in the sent-protocol (UDP when unknown, e.g. SCTP).
    public var sentTransport: Transport { Transport(viaName: transport) ?? .udp }

    /// Where responses go (RFC 3261 §18.2.2 with RFC 3581 §4): `received`/`rport` if present, over
    /// the Via's transport. A server stamps `rport` on every request that came on a stream, so for
    /// TCP and TLS this is the connection the request came in on.
    public var responseTarget: Endpoint {
        let t = sentTransport
        let h = parameter("received") ?? host
        let p = parameter("rport").flatMap(Int.init) ?? port ?? t.defaultPort
        return Endpoint(host: h, port: p, transport: t)
    }

    public var description: String {
        var s = "SIP/2.0/\(transport) \(host)"
        if let port { s += ":\(port)" }
        for p in parameters { s += p.description }
        return s
    }
}
