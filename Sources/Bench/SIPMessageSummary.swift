/// The parts of a SIP message the forensic ladder needs, read leniently: a line parser that
/// accepts LF or CRLF, folded headers, compact header names and garbage after the body.
struct SIPMessageSummary {
    var firstLine: String
    /// Request method, or nil for a response.
    var method: String?
    /// Response status code, or nil for a request.
    var statusCode: Int?
    var callID: String?
    var cseq: String?
    /// The `branch` parameter of the topmost Via.
    var topViaBranch: String?
    var sdp: SDPSummary?
    /// ccengine's `X-CC-Call` on an agent leg: the customer call's Call-ID it belongs to.
    var ccCall: String?
    /// User parts of the From and To URIs (lane names in call ladders).
    var fromUser: String?
    var toUser: String?

    var isRequest: Bool { method != nil }

    /// nil unless the payload starts with a SIP request or status line.
    static func parse(_ payload: UnsafeRawBufferPointer) -> SIPMessageSummary? {
        // Cheap gate before decoding: SIP starts with an upper-case token ("SIP/2.0" or a
        // method); RTP's first byte is 0x80-0xBF.
        guard payload.count >= 12, let first = payload.first, first >= 0x41, first <= 0x5A else {
            return nil
        }
        let text = String(decoding: payload, as: UTF8.self)
        let (head, body) = split(text)
        var lines = unfold(head)
        guard !lines.isEmpty else { return nil }
        let firstLine = String(lines.removeFirst())
        var summary: SIPMessageSummary
        if firstLine.hasPrefix("SIP/2.0 ") {
            let parts = firstLine.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, let code = Int(parts[1]), (100...699).contains(code) else { return nil }
            summary = SIPMessageSummary(firstLine: firstLine, statusCode: code)
        } else {
            let parts = firstLine.split(separator: " ")
            guard parts.count == 3, parts[2] == "SIP/2.0",
                parts[0].allSatisfy({ $0.isLetter || $0 == "-" || $0 == "_" })
            else { return nil }
            summary = SIPMessageSummary(firstLine: firstLine, method: String(parts[0]))
        }
        var contentType: String?
        var contentLength: Int?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingSpaces().lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            switch name {
            case "call-id", "i": summary.callID = summary.callID ?? String(value)
            case "cseq": summary.cseq = summary.cseq ?? value.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            case "via", "v":
                if summary.topViaBranch == nil { summary.topViaBranch = branch(ofVia: value) }
            case "x-cc-call": summary.ccCall = summary.ccCall ?? String(value)
            case "from", "f": summary.fromUser = summary.fromUser ?? user(ofAddress: value)
            case "to", "t": summary.toUser = summary.toUser ?? user(ofAddress: value)
            case "content-type", "c": contentType = value.lowercased()
            case "content-length", "l": contentLength = Int(value)
            default: break
            }
        }
        if let contentType, contentType.hasPrefix("application/sdp") {
            let bodyText = contentLength.map { String(decoding: body.utf8.prefix($0), as: UTF8.self) } ?? String(body)
            summary.sdp = SDPSummary.parse(Substring(bodyText))
        }
        return summary
    }

    /// Head and body, split at the first empty line (CRLF CRLF or LF LF).
    private static func split(_ text: String) -> (Substring, Substring) {
        if let r = text.range(of: "\r\n\r\n") { return (text[..<r.lowerBound], text[r.upperBound...]) }
        if let r = text.range(of: "\n\n") { return (text[..<r.lowerBound], text[r.upperBound...]) }
        return (text[...], "")
    }

    /// Lines of the head with RFC 3261 7.3.1 continuation lines joined to their header.
    private static func unfold(_ head: Substring) -> [Substring] {
        var lines: [Substring] = []
        for raw in head.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if let first = line.first, first == " " || first == "\t", let last = lines.popLast() {
                lines.append(Substring(String(last) + " " + line.trimmingSpaces()))
            } else {
                lines.append(line)
            }
        }
        return lines
    }

    /// `alice` of `"Alice" <sip:alice@host>;tag=1` (nil without a user part).
    private static func user(ofAddress value: Substring) -> String? {
        guard let scheme = value.range(of: "sip:") ?? value.range(of: "sips:") else { return nil }
        let rest = value[scheme.upperBound...]
        guard let at = rest.firstIndex(of: "@"), !rest[..<at].contains(">") else { return nil }
        return String(rest[..<at])
    }

    private static func branch(ofVia value: Substring) -> String? {
        let top = value.split(separator: ",", maxSplits: 1).first ?? value
        for param in top.split(separator: ";").dropFirst() {
            let pair = param.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].trimmingSpaces().lowercased() == "branch" {
                return String(pair[1].trimmingSpaces())
            }
        }
        return nil
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\r" { s = s.dropLast() }
        return s
    }
}
