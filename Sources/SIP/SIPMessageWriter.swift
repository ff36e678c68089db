/// Prints a `SIPMessage` straight into bytes (RFC 3261 §7): start line, Via, Record-Route,
/// Route, From, To, Call-ID, CSeq, Contact, the other headers in their order, Content-Type,
/// Content-Length, the body.
///
/// Every message the engine and ccsim send goes through here, so it appends to one buffer and
/// builds no intermediate strings. It used to be built as an `osip_message_t` (each header parsed
/// again by libosip2) and printed by oSIP; that round trip was the largest part of sending a
/// message (`ccbench sip`) for no gain. URI user parts and parameters are escaped again here,
/// because oSIP unescapes them on the way in (RFC 4475 esc01). Round trips
/// (`decode(encode(m)) == m`) are checked over RFC 4475's torture messages and the fuzz corpus
/// (Tests/SIPTests).
enum SIPMessageWriter {
    static func write(_ m: SIPMessage) -> [UInt8] {
        var out = SIPBytes()
        out.bytes.reserveCapacity(640 + m.body.count)
        switch m.startLine {
        case .request(let method, let uri):
            out.text(method)
            out.byte(0x20)
            out.uri(uri)
            out.text(" SIP/2.0\r\n")
        case .response(let status, let reason):
            out.text("SIP/2.0 ")
            out.number(status)
            out.byte(0x20)
            out.text(reason)
            out.text("\r\n")
        }
        for v in m.via { out.header("Via") { $0.via(v) } }
        for r in m.recordRoute { out.header("Record-Route") { $0.nameAddress(r) } }
        for r in m.route { out.header("Route") { $0.nameAddress(r) } }
        out.header("From") { $0.nameAddress(m.from) }
        out.header("To") { $0.nameAddress(m.to) }
        out.header("Call-ID") { $0.text(m.callID) }
        out.header("CSeq") { $0.number(Int(m.cseq.number)); $0.byte(0x20); $0.text(m.cseq.method) }
        for c in m.contact { out.header("Contact") { c.isWildcard ? $0.byte(0x2A) : $0.nameAddress(c) } }
        for h in m.headers where !Self.computed(h.name) { out.header(h.name) { $0.text(h.value) } }
        if let ct = m.contentType { out.header("Content-Type") { $0.text(ct) } }
        out.header("Content-Length") { $0.number(m.body.count) }
        out.text("\r\n")
        out.bytes.append(contentsOf: m.body)
        return out.bytes
    }

    /// Headers this writer prints from the model, never from `headers`.
    private static func computed(_ name: String) -> Bool {
        name.equalsIgnoringASCIICase("Content-Length") || name == "l" || name == "L"
    }
}

/// The writer's buffer and its appenders.
struct SIPBytes {
    var bytes: [UInt8] = []

    mutating func byte(_ b: UInt8) { bytes.append(b) }
    mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }
    mutating func number(_ n: Int) { text(String(n)) }

    mutating func header(_ name: String, _ value: (inout SIPBytes) -> Void) {
        text(name)
        byte(0x3A)
        byte(0x20)
        value(&self)
        byte(0x0D)
        byte(0x0A)
    }

    mutating func via(_ v: Via) {
        text("SIP/2.0/")
        text(v.transport)
        byte(0x20)
        host(v.host, port: v.port)
        for p in v.parameters { parameter(p, escaped: false) }
    }

    /// `"Display" <uri>;params`, the URI escaped again.
    mutating func nameAddress(_ a: NameAddress) {
        if let d = a.displayName, !d.isEmpty {
            if d.utf8.first == 0x22 {
                text(d)
            } else {
                byte(0x22)
                text(d)
                byte(0x22)
            }
            byte(0x20)
        }
        byte(0x3C)
        uri(a.uri)
        byte(0x3E)
        for p in a.parameters { parameter(p, escaped: false) }
    }

    /// RFC 3261 §19.1.1 with the user part and URI parameters escaped (§25.1). A URI of a scheme
    /// oSIP does not take apart keeps all of it after the colon in `host`, printed as it is.
    mutating func uri(_ u: SIPURI) {
        text(u.scheme)
        byte(0x3A)
        if u.isOpaque {
            text(u.host)
            return
        }
        if let user = u.user, !user.isEmpty {
            escaped(user, keeping: "&=+$,;?/")
            byte(0x40)
        }
        host(u.host, port: u.port)
        for p in u.parameters { parameter(p, escaped: true) }
    }

    /// `host[:port]`, an IPv6 reference in brackets (RFC 3261 §25.1 `IPv6reference`): libosip2
    /// hands the address over without them.
    mutating func host(_ h: String, port: Int?) {
        if h.utf8.contains(0x3A) && h.utf8.first != 0x5B {
            byte(0x5B)
            text(h)
            byte(0x5D)
        } else {
            text(h)
        }
        if let port {
            byte(0x3A)
            number(port)
        }
    }

    mutating func parameter(_ p: Parameter, escaped escape: Bool) {
        byte(0x3B)
        if escape { escaped(p.name, keeping: "[]/:&+$") } else { text(p.name) }
        guard let v = p.value else { return }
        byte(0x3D)
        if escape { escaped(v, keeping: "[]/:&+$") } else { text(v) }
    }

    /// RFC 3261 §25.1: unreserved characters and the rule's own extras stay, the rest become %XX.
    mutating func escaped(_ s: String, keeping extra: StaticString) {
        for b in s.utf8 {
            if SIPValidation.isAlphaNum(b) || Self.isMark(b) || Self.contains(extra, b) {
                byte(b)
            } else {
                byte(0x25)
                byte(Self.hex[Int(b >> 4)])
                byte(Self.hex[Int(b & 0xF)])
            }
        }
    }

    private static let hex: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// RFC 3261 §25.1 mark: - _ . ! ~ * ' ( )
    private static func isMark(_ b: UInt8) -> Bool {
        b == 0x2D || b == 0x5F || b == 0x2E || b == 0x21 || b == 0x7E || b == 0x2A || b == 0x27 || b == 0x28 || b == 0x29
    }

    private static func contains(_ set: StaticString, _ b: UInt8) -> Bool {
        set.withUTF8Buffer { $0.contains(b) }
    }
}

extension SIPURI {
    /// A URI of a scheme oSIP does not take apart: all of it after the colon is in `host`.
    var isOpaque: Bool {
        !(scheme.equalsIgnoringASCIICase("sip") || scheme.equalsIgnoringASCIICase("sips") || scheme.equalsIgnoringASCIICase("tel"))
            && user == nil && port == nil && parameters.isEmpty
    }
}

extension NameAddress {
    /// `Contact: *` (RFC 3261 §10.2.2, remove every binding), as libosip2 hands it to us.
    var isWildcard: Bool { uri.host.isEmpty && (displayName == "*" || uri.user == "*") }
}
