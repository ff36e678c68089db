/// Line-level view of a SIP message's header block: used to validate what libosip2 does not check
/// (`SIPValidation`), to frame the body, and to answer messages the real parser refused.
/// Unfolds continuation lines (RFC 3261 §7.3.1).
struct RawHeaders {
    private(set) var firstLine: String?
    /// Every header in order: lower-cased name as written (compact forms not expanded) and value.
    private(set) var lines: [(name: String, value: String)] = []
    /// Header lines with no colon, which no SIP grammar allows.
    private(set) var linesWithoutColon = 0
    /// Offset of the first body byte, nil if the header block never ends.
    private(set) var bodyStart: Int?

    init(_ bytes: [UInt8]) {
        var i = 0
        var current: (String, String)?
        while i < bytes.count {
            var j = i
            while j < bytes.count && bytes[j] != 0x0A { j += 1 }
            if j == bytes.count { break }  // last line has no line break: header block incomplete
            var line = String(decoding: bytes[i..<j], as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            i = j + 1
            if firstLine == nil { firstLine = line; continue }
            if line.isEmpty {
                bodyStart = i
                break
            }
            if line.first == " " || line.first == "\t", let c = current {
                current = (c.0, c.1.isEmpty ? line.trimmingWhitespace : c.1 + " " + line.trimmingWhitespace)
                continue
            }
            if let c = current { lines.append((name: c.0, value: c.1)) }
            if let colon = line.firstIndex(of: ":") {
                current = (String(line[..<colon]).trimmingWhitespace.lowercased(), String(line[line.index(after: colon)...]).trimmingWhitespace)
            } else {
                current = nil
                linesWithoutColon += 1
            }
        }
        if let c = current { lines.append((name: c.0, value: c.1)) }
    }

    func first(_ names: [String]) -> String? { lines.first { names.contains($0.name) }?.value }
    func all(_ names: [String]) -> [String] { lines.filter { names.contains($0.name) }.map(\.value) }
}
