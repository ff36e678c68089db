import COSIP

/// Bytes <-> `SIPMessage`, through libosip2. The only file that touches oSIP's message types:
/// C pointers never leave this file and `SIPCodec+OSIP.swift`.
///
/// Decoding runs `SIPValidation` on the raw bytes first (the RFC 3261 rules oSIP does not enforce,
/// driven by the RFC 4475 torture messages), lets oSIP parse the start line and headers only, and
/// takes the body from the bytes itself: exactly Content-Length bytes (or the rest of the datagram
/// without one), so binary and multipart bodies arrive intact and trailing octets are ignored.
public enum SIPCodec {
    /// oSIP's parser tables must be built once before any parse (osip_parser.h: parser_init).
    /// Its trace goes to stdout/stderr on every malformed datagram a peer sends; the engine logs
    /// through swift-log instead, so oSIP's own trace is switched off.
    private static let parserReady: Bool = {
        osip_trace_initialize_func(TRACE_LEVEL0, { _, _, _, _, _ in })
        parser_init()
        return true
    }()

    public static let defaultMaximumSize = 16 * 1024

    public static func decode(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(SIPParseError) -> SIPMessage {
        precondition(parserReady)
        if bytes.count > maximumSize { throw .tooLarge(bytes.count) }
        let framing = try SIPValidation.validate(bytes)
        var msg: UnsafeMutablePointer<osip_message_t>?
        guard osip_message_init(&msg) == 0, let msg else { throw .malformed("parser could not start") }
        defer { osip_message_free(msg) }
        let forOSIP = OSIPInput(bytes, headerEnd: framing.headerEnd)
        let rc = forOSIP.bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                osip_message_parse(msg, $0, buf.count)
            }
        }
        guard rc == 0 else { throw .malformed("libosip2 rejected the message (code \(rc))") }
        var message = try OSIPMessageReader(msg).read()
        if let opaque = forOSIP.opaqueRequestURI, let method = message.method {
            message.startLine = .request(method: method, uri: opaque)
        }
        message.body = Array(bytes[framing.headerEnd..<(framing.headerEnd + framing.bodyLength)])
        restoreCredentialHeaders(&message, from: framing.raw)
        return message
    }

    /// Authorization-family values as sent, in order, instead of oSIP's lossy reprint.
    private static func restoreCredentialHeaders(_ message: inout SIPMessage, from raw: RawHeaders) {
        // Most messages carry none: look once before the per-name work.
        guard message.headers.contains(where: { OSIPMessageReader.isCredentialHeader($0.name) }) else { return }
        for name in OSIPMessageReader.credentialHeaders {
            let sent = raw.all([name])
            let indices = message.headers.indices.filter { message.headers[$0].name.equalsIgnoringASCIICase(name) }
            guard sent.count == indices.count else { continue }
            for (i, value) in zip(indices, sent) { message.headers[i].value = value }
        }
    }

    public static func encode(_ message: SIPMessage) -> [UInt8] {
        precondition(parserReady)
        return SIPMessageWriter.write(message)
    }

    /// A 400 (or other) response built from the raw header lines of a request that could not be
    /// parsed, per RFC 3261 §8.2.6.2 (Via, From, To, Call-ID, CSeq copied). Nil when the request is
    /// not a request, lacks one of those headers, or those headers are themselves so malformed that
    /// the response would not parse (RFC 4475 badinv01, quotbal, baddn): nothing can be addressed.
    public static func errorResponse(for bytes: [UInt8], status: Int, reason: String) -> (bytes: [UInt8], via: String)? {
        let raw = RawHeaders(bytes)
        guard let first = raw.firstLine, !first.hasPrefix("SIP/") else { return nil }
        let vias = raw.all(["via", "v"])
        guard let topVia = vias.first,
              let from = raw.first(["from", "f"]),
              let to = raw.first(["to", "t"]),
              let callID = raw.first(["call-id", "i"]),
              let cseq = raw.first(["cseq"])
        else { return nil }
        var text = "SIP/2.0 \(status) \(reason)\r\n"
        for v in vias { text += "Via: \(v)\r\n" }
        text += "From: \(from)\r\nTo: \(to)\r\nCall-ID: \(callID)\r\nCSeq: \(cseq)\r\n"
        text += "Content-Length: 0\r\n\r\n"
        let response = Array(text.utf8)
        guard (try? decode(response, maximumSize: max(defaultMaximumSize, response.count))) != nil else { return nil }
        return (response, topVia)
    }
}
