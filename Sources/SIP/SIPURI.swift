/// A SIP URI (RFC 3261 §19.1) as a value. Parsed and printed by the codec through libosip2;
/// this type only holds the parts and prints them in canonical order.
public struct SIPURI: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var user: String?
    public var host: String
    public var port: Int?
    /// URI parameters in order (`;transport=udp`, `;lr`); a nil value is a flag parameter.
    public var parameters: [Parameter]

    public init(scheme: String = "sip", user: String? = nil, host: String, port: Int? = nil, parameters: [Parameter] = []) {
        self.scheme = scheme
        self.user = user
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public var description: String {
        var s = scheme + ":"
        if let user, !user.isEmpty { s += user + "@" }
        s += host.utf8.contains(0x3A) && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port { s += ":\(port)" }
        for p in parameters { s += p.description }
        return s
    }

    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }
}

/// A `;name=value` parameter of a URI or header.
public struct Parameter: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
    public var description: String { value.map { ";\(name)=\($0)" } ?? ";\(name)" }
}
