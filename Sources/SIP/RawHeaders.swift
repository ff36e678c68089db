/// Line-level view of a SIP message's header block: used to validate what libosip2 does not check
/// (`SIPValidation`), to frame the body, and to answer messages the real parser refused.
/// Unfolds continuation lines (RFC 3261 §7.3.1). Built once per datagram on the hot path, so it
/// works on bytes; lookups scan the lines (a message has a dozen or two: cheaper than an index by
/// name, which cost an array per name and a dictionary per message).
struct RawHeaders {
    private(set) var firstLine: String?
    /// Every header in order: lower-cased name as written (compact forms not expanded) and value.
    private(set) var lines: [(name: String, value: String)] = []
    /// Header lines with no colon, which no SIP grammar allows.
    private(set) var linesWithoutColon = 0
    /// Offset of the first body byte, nil if the header block never ends.
    private(set) var bodyStart: Int?

    init(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            var current: (name: String, value: String)?
            while i < b.count {
                var j = i
                while j < b.count && b[j] != 0x0A { j += 1 }
                if j == b.count { break }  // last line has no line break: header block incomplete
                var end = j
                if end > i && b[end - 1] == 0x0D { end -= 1 }
                let lineStart = i
                i = j + 1
                if firstLine == nil {
                    firstLine = String(decoding: UnsafeBufferPointer(rebasing: b[lineStart..<end]), as: UTF8.self)
                    continue
                }
                if end == lineStart {
                    bodyStart = i
                    break
                }
                if b[lineStart] == 0x20 || b[lineStart] == 0x09, let c = current {
                    let more = Self.trimmed(b, lineStart, end)
                    current = (c.name, c.value.isEmpty ? more : c.value + " " + more)
                    continue
                }
                if let c = current { append(c) }
                if let colon = (lineStart..<end).first(where: { b[$0] == 0x3A }) {
                    current = (Self.trimmed(b, lineStart, colon, lowercase: true), Self.trimmed(b, colon + 1, end))
                } else {
                    current = nil
                    linesWithoutColon += 1
                }
            }
            if let c = current { append(c) }
        }
    }

    private mutating func append(_ line: (name: String, value: String)) {
        if lines.isEmpty { lines.reserveCapacity(16) }
        lines.append(line)
    }

    /// The bytes `from..<to` without surrounding spaces, tabs, CR and LF, as a String.
    private static func trimmed(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, lowercase: Bool = false) -> String {
        var s = from, e = to
        func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }
        while s < e && blank(b[s]) { s += 1 }
        while e > s && blank(b[e - 1]) { e -= 1 }
        guard lowercase, b[s..<e].contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else {
            return String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
        }
        return String(decoding: b[s..<e].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    func first(_ names: [String]) -> String? {
        lines.first { names.contains($0.name) }?.value
    }

    func all(_ names: [String]) -> [String] {
        lines.compactMap { names.contains($0.name) ? $0.value : nil }
    }

    func count(_ names: [String]) -> Int { lines.reduce(0) { names.contains($1.name) ? $0 + 1 : $0 } }
}
