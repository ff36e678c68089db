/// Checks RFC 3261 makes and libosip2 does not, run on the raw bytes before oSIP sees them, so that
/// every RFC 4475 "invalid" message is refused with a message naming the defect. Each check cites
/// the torture message (RFC 4475 §3.1.2, §3.3) that motivated it.
enum SIPValidation {
    /// Where the body lies: from `start`, `length` bytes (RFC 3261 §18.3: Content-Length, else the
    /// rest of the datagram). Bytes after it (RFC 4475 dblreq) are ignored.
    struct Framing {
        var headerEnd: Int
        var bodyLength: Int
        /// The header lines as sent, for what oSIP reprints lossily (credential headers).
        var raw: RawHeaders
    }

    static func validate(_ bytes: [UInt8]) throws(SIPParseError) -> Framing {
        guard bytes.contains(0x0A) else { throw .notSIP("no line break") }
        let raw = RawHeaders(bytes)
        let start = try checkStartLine(raw.firstLine ?? "")
        guard let headerEnd = raw.bodyStart else { throw .malformed("no blank line after the headers (truncated?)") }
        if raw.linesWithoutColon > 0 { throw .malformed("a header line has no colon") }
        // RFC 3261 §25.1: a header holds NUL only as a quoted-pair (RFC 4475 intmeth's To), and CR
        // only before LF.
        for i in 1..<headerEnd {
            if bytes[i] == 0 && bytes[i - 1] != 0x5C { throw .malformed("a header holds a NUL byte outside a quoted-pair") }
            if bytes[i] == 0x0D && (i + 1 == headerEnd || bytes[i + 1] != 0x0A) { throw .malformed("a header holds a CR without LF") }
        }
        try checkRequiredHeaders(raw)
        try checkCSeq(raw, requestMethod: start.method)
        try checkNumbers(raw)
        try checkAddresses(raw)
        let bodyLength = try contentLength(raw, available: bytes.count - headerEnd)
        return Framing(headerEnd: headerEnd, bodyLength: bodyLength, raw: raw)
    }

    /// RFC 3261 §8.1.1 requires To, From, CSeq, Call-ID and Via (RFC 4475 insuf); §7.3.1 lets
    /// none of them but Via repeat (multi01), nor Content-Length (mcl01).
    static func checkRequiredHeaders(_ raw: RawHeaders) throws(SIPParseError) {
        for (name, forms) in required where raw.count(forms) == 0 {
            throw .malformed("missing \(name) header")
        }
        for (name, forms) in singleValued where raw.count(forms) > 1 {
            throw .malformed("more than one \(name) header")
        }
    }

    static let required: [(String, [String])] = [
        ("Via", ["via", "v"]), ("From", ["from", "f"]), ("To", ["to", "t"]),
        ("Call-ID", ["call-id", "i"]), ("CSeq", ["cseq"]),
    ]
    static let singleValued: [(String, [String])] = [
        ("From", ["from", "f"]), ("To", ["to", "t"]), ("Call-ID", ["call-id", "i"]), ("CSeq", ["cseq"]),
        ("Max-Forwards", ["max-forwards"]), ("Content-Length", ["content-length", "l"]),
        ("Content-Type", ["content-type", "c"]),
    ]

    /// RFC 3261 §20.16 and §8.1.1.5: `CSeq: 1*DIGIT LWS Method`, a 32-bit number (scalar02,
    /// scalarlg), and in a request the method of the request line (mismatch01, mismatch02).
    static func checkCSeq(_ raw: RawHeaders, requestMethod: String?) throws(SIPParseError) {
        guard let value = raw.first(["cseq"]) else { return }
        // Two words separated by spaces or tabs, read on the bytes.
        let u = value.utf8
        var words: [Substring] = []
        var i = u.startIndex
        while i != u.endIndex && words.count < 3 {
            while i != u.endIndex, u[i] == 0x20 || u[i] == 0x09 { i = u.index(after: i) }
            guard i != u.endIndex else { break }
            let start = i
            while i != u.endIndex, u[i] != 0x20 && u[i] != 0x09 { i = u.index(after: i) }
            words.append(value[start..<i])
        }
        guard words.count == 2, decimal(words[0], max: UInt64(UInt32.max)) != nil else {
            throw .malformed("CSeq \"\(value)\" is not a 32-bit number and a method")
        }
        if let requestMethod, words[1] != requestMethod {
            throw .malformed("CSeq method \(words[1]) does not match the request method \(requestMethod)")
        }
    }

    /// RFC 3261 §20.22 Max-Forwards is 0-255; §20.19 Expires is 0 to 2^32-1 (RFC 4475 scalar02).
    static func checkNumbers(_ raw: RawHeaders) throws(SIPParseError) {
        for value in raw.all(["max-forwards"]) where decimal(Substring(value), max: 255) == nil {
            throw .malformed("Max-Forwards \"\(value)\" is not a number from 0 to 255")
        }
        for value in raw.all(["expires"]) where decimal(Substring(value), max: UInt64(UInt32.max)) == nil {
            throw .malformed("Expires \"\(value)\" is not a number of seconds below 2^32")
        }
    }

    /// RFC 3261 §20.14: one Content-Length of 1*DIGIT (ncl, mcl01); on UDP a body shorter than it
    /// means the datagram was truncated (§18.3, clerr). Without one the body is the rest.
    static func contentLength(_ raw: RawHeaders, available: Int) throws(SIPParseError) -> Int {
        guard let value = raw.first(["content-length", "l"]) else { return available }
        guard let n = decimal(Substring(value), max: UInt64(Int32.max)) else {
            throw .malformed("Content-Length \"\(value)\" is not a number")
        }
        if available < Int(n) { throw .malformed("body has \(available) bytes but Content-Length says \(n) (truncated)") }
        return Int(n)
    }

    /// `1*DIGIT` no larger than `max`; leading zeros allowed (RFC 4475 wsinv: "0068", "0009").
    static func decimal(_ s: Substring, max: UInt64) -> UInt64? {
        guard !s.isEmpty else { return nil }
        var n: UInt64 = 0
        for c in s.utf8 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            n = n * 10 + UInt64(c - 0x30)
            if n > max { return nil }
        }
        return n
    }
}
