extension NameAddress {
    /// Parses a Contact header value as written by `description` (e.g. a binding kept in the
    /// state database), with the same parser as the wire (libosip2). Nil when it is not one.
    public init?(contactHeader text: String) {
        guard let message = Self.decode(header: "Contact", text), message.contact.count == 1 else { return nil }
        self = message.contact[0]
    }

    /// Parses a Route-shaped header value (`<sip:a;lr>, <sip:b;lr>`) with the wire parser (libosip2).
    public static func list(routeHeader text: String) -> [NameAddress]? {
        guard let message = decode(header: "Route", text), !message.route.isEmpty else { return nil }
        return message.route
    }

    /// A minimal request carrying one header line, decoded by the codec.
    private static func decode(header name: String, _ text: String) -> SIPMessage? {
        guard !text.contains("\r"), !text.contains("\n") else { return nil }
        let wire = "OPTIONS sip:parse.invalid SIP/2.0\r\nVia: SIP/2.0/UDP parse.invalid;branch=z9hG4bKparse\r\n"
            + "From: <sip:parse.invalid>;tag=p\r\nTo: <sip:parse.invalid>\r\nCall-ID: parse\r\nCSeq: 1 OPTIONS\r\n"
            + "\(name): \(text)\r\nContent-Length: 0\r\n\r\n"
        return try? SIPCodec.decode(Array(wire.utf8))
    }
}

extension SIPMessage {
    /// The Path header's addresses (RFC 3327), in order, from every Path header of the request.
    public var path: [NameAddress] {
        let values = headerValues("Path")
        guard !values.isEmpty else { return [] }
        return NameAddress.list(routeHeader: values.joined(separator: ", ")) ?? []
    }
}
