extension NameAddress {
    /// Parses a Contact header value as written by `description` (e.g. a binding kept in the
    /// state database), with the same parser as the wire (libosip2). Nil when it is not one.
    public init?(contactHeader text: String) {
        guard !text.contains("\r"), !text.contains("\n") else { return nil }
        let wire = "OPTIONS sip:parse.invalid SIP/2.0\r\nVia: SIP/2.0/UDP parse.invalid;branch=z9hG4bKparse\r\n"
            + "From: <sip:parse.invalid>;tag=p\r\nTo: <sip:parse.invalid>\r\nCall-ID: parse\r\nCSeq: 1 OPTIONS\r\n"
            + "Contact: \(text)\r\nContent-Length: 0\r\n\r\n"
        guard let message = try? SIPCodec.decode(Array(wire.utf8)), message.contact.count == 1 else { return nil }
        self = message.contact[0]
    }
}
