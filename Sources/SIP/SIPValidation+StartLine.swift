/// RFC 3261 §7.1 and §7.2: the request line and the status line, strictly.
extension SIPValidation {
    /// The request method, nil for a response.
    struct StartLine {
        var method: String?
    }

    static func checkStartLine(_ line: String) throws(SIPParseError) -> StartLine {
        if line.hasPrefix("SIP/") {
            try checkStatusLine(line)
            return StartLine(method: nil)
        }
        // The common case on bytes: "METHOD SP URI SP SIP/2.0" (exactly two spaces); everything
        // else takes the word-by-word checks below, which name what is wrong.
        let u = line.utf8
        if let sp1 = u.firstIndex(of: 0x20), let sp2 = u.lastIndex(of: 0x20), sp1 < sp2,
           sp1 != u.startIndex, u.index(after: sp1) != sp2,
           !u[u.index(after: sp1)..<sp2].contains(0x20), u[u.index(after: sp2)...].elementsEqual("SIP/2.0".utf8) {
            let method = line[..<sp1]
            guard method.utf8.allSatisfy(isTokenByte) else {
                throw .malformed("method \(method) has characters a token does not allow")
            }
            try checkRequestURI(line[line.index(after: sp1)..<sp2])
            return StartLine(method: String(method))
        }
        // Anything that does not end in a SIP version is not SIP at all (HTTP, noise): dropped.
        let words = line.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 2, let version = words.last, version.uppercased().hasPrefix("SIP/") else {
            throw .notSIP("first line is neither a SIP request line nor a status line")
        }
        // Request-Line = Method SP Request-URI SP SIP-Version CRLF, with exactly one SP each
        // (RFC 4475 lwsruri: LWS inside the URI; lwsstart: doubled SP; trws: trailing SP).
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw .malformed("request line must be \"Method SP Request-URI SP SIP/2.0\" with single spaces and nothing after")
        }
        guard parts[2] == "SIP/2.0" else {
            // RFC 4475 badvers: RFC 3261 §8.2.2 answers 505 Version Not Supported.
            throw .malformed("SIP version \(parts[2]) is not supported, only SIP/2.0 (505)")
        }
        guard parts[0].utf8.allSatisfy(isTokenByte) else {
            throw .malformed("method \(parts[0]) has characters a token does not allow")
        }
        try checkRequestURI(parts[1])
        return StartLine(method: String(parts[0]))
    }

    /// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the code is exactly three digits
    /// from 100 to 699 (RFC 4475 bigcode); the reason may be empty (noreason) or UTF-8 (unreason).
    static func checkStatusLine(_ line: String) throws(SIPParseError) {
        let u = line.utf8
        let space = u.firstIndex(of: 0x20) ?? u.endIndex
        guard u[..<space].elementsEqual("SIP/2.0".utf8) else {
            throw .malformed("status line version \(line[..<space]) is not SIP/2.0")
        }
        var i = space == u.endIndex ? space : u.index(after: space)
        var code = 0, digits = 0
        while i != u.endIndex, u[i] >= 0x30 && u[i] <= 0x39 {
            code = code * 10 + Int(u[i] - 0x30)
            digits += 1
            i = u.index(after: i)
        }
        guard digits == 3, (100...699).contains(code), i == u.endIndex || u[i] == 0x20 else {
            throw .malformed("status code in \"\(line.prefix(40))\" is not three digits from 100 to 699")
        }
    }

    /// RFC 3261 §19.1 and §25.1: a scheme, then no LWS, brackets or quotes (RFC 4475 ltgtruri);
    /// §19.1.1's table forbids headers in a SIP Request-URI (RFC 4475 escruri).
    static func checkRequestURI(_ uri: Substring) throws(SIPParseError) {
        let u = uri.utf8
        guard let colon = u.firstIndex(of: 0x3A), colon != u.startIndex,
              u[..<colon].allSatisfy({ isAlphaNum($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }),
              let first = u.first, (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A, u.index(after: colon) != u.endIndex
        else { throw .malformed("Request-URI \(uri.prefix(80)) does not start with a scheme") }
        guard u.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3C && $0 != 0x3E && $0 != 0x22 }) else {
            throw .malformed("Request-URI \(uri.prefix(80)) contains <, >, quotes or non-ASCII bytes")
        }
        let schemeBytes = u[..<colon]
        let isSIP = schemeBytes.count <= 4 && ["sip", "sips"].contains { $0.utf8.elementsEqual(schemeBytes.lazy.map { $0 | 0x20 }) }
        var ats = 0
        var firstAt: String.UTF8View.Index?
        var i = u.startIndex
        while i != u.endIndex {
            if u[i] == 0x25 {
                guard isEscape(at: i, in: u) else {
                    throw .malformed("Request-URI \(uri.prefix(80)) has a '%' that is not an %HH escape")
                }
            } else if u[i] == 0x40 {
                ats += 1
                if firstAt == nil { firstAt = i }
            }
            i = u.index(after: i)
        }
        if isSIP {
            if ats > 1 { throw .malformed("Request-URI \(uri.prefix(80)) has more than one '@'") }
            // The user part may hold '?' (RFC 4475 intmeth); headers follow the host part.
            if u[u.index(after: firstAt ?? colon)...].contains(0x3F) {
                throw .malformed("Request-URI \(uri.prefix(80)) carries headers, which RFC 3261 §19.1.1 forbids")
            }
        }
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        isAlphaNum(b) || b == 0x2D || b == 0x2E || b == 0x21 || b == 0x25 || b == 0x2A || b == 0x5F || b == 0x2B || b == 0x60 || b == 0x27 || b == 0x7E
    }

    static func isAlphaNum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
