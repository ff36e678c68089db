import COSIP

/// Reads a parsed `osip_message_t` into a `SIPMessage`.
struct OSIPMessageReader {
    let msg: UnsafeMutablePointer<osip_message_t>

    init(_ msg: UnsafeMutablePointer<osip_message_t>) { self.msg = msg }

    func read() throws(SIPParseError) -> SIPMessage {
        let m = msg.pointee
        let start: SIPMessage.StartLine
        if cc_osip_is_request(msg) != 0 {
            guard let method = string(m.sip_method), let uri = m.req_uri else { throw .malformed("request line") }
            start = .request(method: method, uri: Self.uri(uri))
        } else {
            start = .response(status: Int(m.status_code), reason: string(m.reason_phrase) ?? "")
        }
        guard let fromPtr = m.from else { throw .malformed("missing From") }
        guard let toPtr = m.to else { throw .malformed("missing To") }
        guard let callIDPtr = m.call_id else { throw .malformed("missing Call-ID") }
        guard let cseqPtr = m.cseq, let cseqNumber = string(cseqPtr.pointee.number).flatMap({ UInt32($0) }),
              let cseqMethod = string(cseqPtr.pointee.method)
        else { throw .malformed("missing or invalid CSeq") }
        let vias: [Via] = list(&msg.pointee.vias).map { (p: UnsafeMutablePointer<osip_via_t>) in Self.via(p) }
        guard !vias.isEmpty else { throw .malformed("missing Via") }

        var callID = string(callIDPtr.pointee.number) ?? ""
        if let host = string(callIDPtr.pointee.host) { callID += "@" + host }

        var message = SIPMessage(
            startLine: start, via: vias,
            from: Self.nameAddress(fromPtr), to: Self.nameAddress(toPtr),
            callID: callID, cseq: CSeq(cseqNumber, cseqMethod))
        message.contact = list(&msg.pointee.contacts).map { (p: UnsafeMutablePointer<osip_contact_t>) in Self.nameAddress(p) }
        message.route = list(&msg.pointee.routes).map { (p: UnsafeMutablePointer<osip_route_t>) in Self.nameAddress(p) }
        message.recordRoute = list(&msg.pointee.record_routes).map { (p: UnsafeMutablePointer<osip_record_route_t>) in Self.nameAddress(p) }
        if let ct = m.content_type { message.contentType = toString(ct, osip_content_type_to_str) }
        message.headers = otherHeaders()
        // The body is not oSIP's to read: `SIPCodec.decode` slices it from the bytes.
        return message
    }

    /// Authorization-family headers, whose values are taken from the raw text rather than oSIP's
    /// reprint, which keeps only the parameters it knows (RFC 4475 regaut01).
    static let credentialHeaders: Set<String> = ["authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate"]

    static func isCredentialHeader(_ name: String) -> Bool {
        credentialHeaders.contains { name.equalsIgnoringASCIICase($0) }
    }

    /// Headers oSIP parses into lists of their own, printed back to text, then the generic ones.
    private func otherHeaders() -> [Header] {
        var out: [Header] = []
        func add<T>(_ name: String, _ l: inout osip_list_t, _ fn: (UnsafePointer<T>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32) {
            for p: UnsafeMutablePointer<T> in list(&l) {
                if let s = toString(p, fn) { out.append(Header(name, s)) }
            }
        }
        add("Authorization", &msg.pointee.authorizations, osip_authorization_to_str)
        add("Proxy-Authorization", &msg.pointee.proxy_authorizations, osip_authorization_to_str)
        add("WWW-Authenticate", &msg.pointee.www_authenticates, osip_www_authenticate_to_str)
        add("Proxy-Authenticate", &msg.pointee.proxy_authenticates, osip_www_authenticate_to_str)
        add("Allow", &msg.pointee.allows, osip_content_length_to_str)
        add("Accept", &msg.pointee.accepts, osip_content_type_to_str)
        add("Accept-Encoding", &msg.pointee.accept_encodings, osip_accept_encoding_to_str)
        add("Accept-Language", &msg.pointee.accept_languages, osip_accept_encoding_to_str)
        add("Content-Encoding", &msg.pointee.content_encodings, osip_content_length_to_str)
        add("Call-Info", &msg.pointee.call_infos, osip_call_info_to_str)
        add("Alert-Info", &msg.pointee.alert_infos, osip_call_info_to_str)
        add("Error-Info", &msg.pointee.error_infos, osip_call_info_to_str)
        for h: UnsafeMutablePointer<osip_header_t> in list(&msg.pointee.headers) {
            if let n = string(h.pointee.hname) { out.append(Header(n, string(h.pointee.hvalue) ?? "")) }
        }
        return out
    }

    static func uri(_ u: UnsafeMutablePointer<osip_uri_t>) -> SIPURI {
        let v = u.pointee
        let scheme = string(v.scheme) ?? "sip"
        guard let host = string(v.host) else {
            // Non-SIP URIs (tel:, urn:) keep their text in `string`.
            return SIPURI(scheme: scheme, host: string(v.string)?.trimmingWhitespace ?? "")
        }
        var params: [Parameter] = []
        var l = v.url_params
        for p: UnsafeMutablePointer<osip_generic_param_t> in list(&l) {
            params.append(Parameter(string(p.pointee.gname) ?? "", string(p.pointee.gvalue)))
        }
        return SIPURI(scheme: scheme, user: string(v.username).flatMap { $0.isEmpty ? nil : $0 }, host: host, port: string(v.port).flatMap { Int($0) }, parameters: params)
    }

    static func nameAddress(_ f: UnsafeMutablePointer<osip_from_t>) -> NameAddress {
        let v = f.pointee
        var params: [Parameter] = []
        var l = v.gen_params
        for p: UnsafeMutablePointer<osip_generic_param_t> in list(&l) {
            params.append(Parameter(string(p.pointee.gname) ?? "", string(p.pointee.gvalue)))
        }
        let uri = v.url.map { Self.uri($0) } ?? SIPURI(host: "")
        var display = string(v.displayname)
        if let d = display, d.hasPrefix("\""), d.hasSuffix("\""), d.count >= 2 { display = String(d.dropFirst().dropLast()) }
        return NameAddress(displayName: display, uri: uri, parameters: params)
    }

    static func via(_ p: UnsafeMutablePointer<osip_via_t>) -> Via {
        let v = p.pointee
        var params: [Parameter] = []
        var l = v.via_params
        for g: UnsafeMutablePointer<osip_generic_param_t> in list(&l) {
            params.append(Parameter(string(g.pointee.gname) ?? "", string(g.pointee.gvalue)))
        }
        return Via(transport: string(v.protocol) ?? "UDP", host: string(v.host) ?? "", port: string(v.port).flatMap { Int($0) }, parameters: params)
    }
}

func string(_ p: UnsafeMutablePointer<CChar>?) -> String? {
    p.map { String(cString: $0) }
}

func list<T>(_ l: inout osip_list_t) -> [UnsafeMutablePointer<T>] {
    let n = osip_list_size(&l)
    guard n > 0 else { return [] }
    return (0..<n).compactMap { osip_list_get(&l, $0)?.assumingMemoryBound(to: T.self) }
}

func toString<T>(_ p: UnsafeMutablePointer<T>, _ fn: (UnsafePointer<T>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32) -> String? {
    var dest: UnsafeMutablePointer<CChar>?
    guard fn(UnsafePointer(p), &dest) == 0, let dest else { return nil }
    defer { cc_osip_free(dest) }
    return String(cString: dest)
}
