/// What libosip2 is given to parse: the start line and headers only (the body is framed in Swift),
/// with the few things oSIP's C-string parser cannot take replaced:
/// - Content-Length values read as 0, so oSIP looks for no body (mpart01's binary multipart body
///   and every body's bytes stay exactly as sent);
/// - NUL bytes, legal in a header only as a quoted-pair (RFC 4475 intmeth), become spaces;
/// - a Request-URI whose scheme is not sip, sips or tel (RFC 4475 unkscm, novelsc) becomes a
///   placeholder; `opaqueRequestURI` carries the real one, as scheme and opaque text.
struct OSIPInput {
    private(set) var bytes: [UInt8]
    private(set) var opaqueRequestURI: SIPURI?

    init(_ message: [UInt8], headerEnd: Int) {
        bytes = Array(message[..<headerEnd])
        for i in bytes.indices where bytes[i] == 0 { bytes[i] = 0x20 }
        var lineStart = 0
        var first = true
        while lineStart < bytes.count {
            var end = lineStart
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if first {
                replaceOpaqueRequestURI(lineStart..<end)
                first = false
                // The request line may have changed length; find this line's end again.
                end = lineStart
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            } else {
                zeroContentLength(lineStart..<end)
            }
            lineStart = end + 1
        }
    }

    /// "Content-Length: 150" -> "Content-Length: 0  " (same length, so nothing else moves).
    private mutating func zeroContentLength(_ line: Range<Int>) {
        // Only "Content-Length" and its compact form "l" start with c/C or l/L: skip the rest cheaply.
        guard let head = line.first.map({ bytes[$0] | 0x20 }), head == 0x63 || head == 0x6C || head == 0x20 || head == 0x09,
              let colon = bytes[line].firstIndex(of: 0x3A) else { return }
        let name = String(decoding: bytes[line.lowerBound..<colon], as: UTF8.self).trimmingWhitespace.lowercased()
        guard name == "content-length" || name == "l" else { return }
        var wroteZero = false
        for i in (colon + 1)..<line.upperBound where bytes[i] >= 0x30 && bytes[i] <= 0x39 {
            bytes[i] = wroteZero ? 0x20 : 0x30
            wroteZero = true
        }
    }

    private mutating func replaceOpaqueRequestURI(_ line: Range<Int>) {
        // Most first lines are a status line or a sip: request: tell them apart on the bytes.
        if let space = bytes[line].firstIndex(of: 0x20) {
            let rest = bytes[(space + 1)..<line.upperBound]
            let scheme = rest.prefix { $0 != 0x3A }
            if bytes[line].starts(with: "SIP/".utf8) { return }
            if scheme.count < rest.count, scheme.count >= 3, scheme.count <= 4,
               ["sip", "sips", "tel"].contains(where: { $0.utf8.elementsEqual(scheme.lazy.map { $0 | 0x20 }) }) { return }
        }
        let text = String(decoding: bytes[line], as: UTF8.self)
        let parts = text.split(separator: " ", omittingEmptySubsequences: false)
        guard !text.hasPrefix("SIP/"), parts.count == 3, let colon = parts[1].firstIndex(of: ":") else { return }
        let scheme = String(parts[1][..<colon])
        guard !["sip", "sips", "tel"].contains(scheme.lowercased()) else { return }
        opaqueRequestURI = SIPURI(scheme: scheme, host: String(parts[1][parts[1].index(after: colon)...]))
        let replaced = "\(parts[0]) sip:opaque.invalid \(parts[2])"
        bytes.replaceSubrange(line, with: Array(replaced.utf8))
    }
}
