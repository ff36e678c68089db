import COSIP

/// Bytes <-> `SIPMessage`, through libosip2. The only file that touches oSIP's message types:
/// C pointers never leave this file and `SIPCodec+OSIP.swift`.
public enum SIPCodec {
    /// oSIP's parser tables must be built once before any parse (osip_parser.h: parser_init).
    private static let parserReady: Bool = {
        parser_init()
        return true
    }()

    public static let defaultMaximumSize = 16 * 1024

    public static func decode(_ bytes: [UInt8], maximumSize: Int = defaultMaximumSize) throws(SIPParseError) -> SIPMessage {
        precondition(parserReady)
        if bytes.count > maximumSize { throw .tooLarge(bytes.count) }
        try checkLooksLikeSIP(bytes)
        try checkContentLength(bytes)
        var msg: UnsafeMutablePointer<osip_message_t>?
        guard osip_message_init(&msg) == 0, let msg else { throw .malformed("parser could not start") }
        defer { osip_message_free(msg) }
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                osip_message_parse(msg, $0, buf.count)
            }
        }
        guard rc == 0 else { throw .malformed("libosip2 rejected the message (code \(rc))") }
        return try OSIPMessageReader(msg).read()
    }

    public static func encode(_ message: SIPMessage) -> [UInt8] {
        precondition(parserReady)
        return OSIPMessageWriter.write(message)
    }

    /// The first line must be a SIP request line or status line; otherwise nothing can be answered.
    private static func checkLooksLikeSIP(_ bytes: [UInt8]) throws(SIPParseError) {
        guard let end = bytes.firstIndex(of: 0x0A) else { throw .notSIP("no line break") }
        let line = String(decoding: bytes[..<end], as: UTF8.self).trimmingWhitespace
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        let isStatus = parts.first == "SIP/2.0" && parts.count >= 2 && Int(parts[1]) != nil
        let isRequest = parts.count == 3 && parts[2] == "SIP/2.0"
            && parts[0].allSatisfy { $0.isLetter || $0 == "-" || $0 == "_" || $0 == "." || $0 == "!" || $0 == "%" || $0 == "*" || $0 == "+" || $0 == "`" || $0 == "'" || $0 == "~" }
        guard isStatus || isRequest else { throw .notSIP("first line is not a SIP request or status line") }
    }

    /// RFC 3261 §18.3: on UDP a body shorter than Content-Length means the message is truncated.
    private static func checkContentLength(_ bytes: [UInt8]) throws(SIPParseError) {
        let raw = RawHeaders(bytes)
        guard let headerEnd = raw.bodyStart else { throw .malformed("no blank line after the headers (truncated?)") }
        guard let cl = raw.first(["content-length", "l"]) else { return }
        guard let n = Int(cl.trimmingWhitespace), n >= 0 else { throw .malformed("Content-Length is not a number") }
        let available = bytes.count - headerEnd
        if available < n { throw .malformed("body has \(available) bytes but Content-Length says \(n) (truncated)") }
    }

    /// A 400 (or other) response built from the raw header lines of a request that could not be
    /// parsed, per RFC 3261 §8.2.6.2 (Via, From, To, Call-ID, CSeq copied). Nil when the request is
    /// not a request or lacks one of those headers, so no response can be addressed.
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
        return (Array(text.utf8), topVia)
    }
}
