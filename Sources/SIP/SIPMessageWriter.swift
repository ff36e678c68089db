/// Prints a `SIPMessage` straight into bytes (RFC 3261 §7): start line, Via, Record-Route,
/// Route, From, To, Call-ID, CSeq, Contact, the other headers in their order, Content-Type,
/// Content-Length, the body.
///
/// Every message the engine and ccsim send goes through here. It used to be built as an
/// `osip_message_t` (each header parsed again by libosip2) and printed by oSIP; that round trip
/// was the largest part of sending a message (`ccbench sip`) for no gain: the model's values are
/// already valid wire text (`SIPURI.wireText`, `NameAddress.wireText` re-escape what oSIP
/// unescaped on the way in). Round trips (`decode(encode(m)) == m`) are checked over RFC 4475's
/// torture messages and the fuzz corpus (Tests/SIPTests).
enum SIPMessageWriter {
    static func write(_ m: SIPMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(640 + m.body.count)
        switch m.startLine {
        case .request(let method, let uri):
            out.append(method)
            out.append(0x20)
            out.append(uri.wireText)
            out.append(" SIP/2.0\r\n")
        case .response(let status, let reason):
            out.append("SIP/2.0 ")
            out.append(String(status))
            out.append(0x20)
            out.append(reason)
            out.append("\r\n")
        }
        for v in m.via { out.header("Via", v.description) }
        for r in m.recordRoute { out.header("Record-Route", r.wireText) }
        for r in m.route { out.header("Route", r.wireText) }
        out.header("From", m.from.wireText)
        out.header("To", m.to.wireText)
        out.header("Call-ID", m.callID)
        out.header("CSeq", m.cseq.description)
        for c in m.contact { out.header("Contact", c.isWildcard ? "*" : c.wireText) }
        for h in m.headers where !Self.computed(h.name) { out.header(h.name, h.value) }
        if let ct = m.contentType { out.header("Content-Type", ct) }
        out.header("Content-Length", String(m.body.count))
        out.append("\r\n")
        out.append(contentsOf: m.body)
        return out
    }

    /// Headers this writer prints from the model, never from `headers`.
    private static func computed(_ name: String) -> Bool {
        name.equalsIgnoringASCIICase("Content-Length") || name == "l" || name == "L"
    }
}

extension NameAddress {
    /// `Contact: *` (RFC 3261 §10.2.2, remove every binding), as libosip2 hands it to us.
    var isWildcard: Bool { uri.host.isEmpty && (displayName == "*" || uri.user == "*") }
}

extension [UInt8] {
    fileprivate mutating func append(_ text: String) {
        append(contentsOf: text.utf8)
    }

    fileprivate mutating func header(_ name: String, _ value: String) {
        append(contentsOf: name.utf8)
        append(0x3A)
        append(0x20)
        append(contentsOf: value.utf8)
        append(0x0D)
        append(0x0A)
    }
}
