/// The counts of `tshark -q -z sip,stat`, from the same capture: SIP messages, those resent,
/// responses by status line, requests by method, and call setup times (INVITE to the ACK of its
/// 2xx, same Call-ID and CSeq number, in ms: the moment the three-way handshake completes).
public struct SIPStatistics: Codable, Sendable, Equatable {
    public var messages = 0
    /// Retransmissions: the same request or response (first line, CSeq, top Via branch) seen
    /// before in the dialog.
    public var resent = 0
    /// "200 OK" -> count.
    public var responses: [String: Int] = [:]
    /// "INVITE" -> count.
    public var requests: [String: Int] = [:]
    /// INVITE -> ACK of its 2xx, milliseconds (exact to the capture's microseconds), one per
    /// answered INVITE. tshark's own figures differ by up to a millisecond: it keeps rounded
    /// request times.
    public var setupTimesMs: [Double] = []

    /// Call-ID + CSeq number -> INVITE time, and those whose 2xx was seen (awaiting the ACK).
    private var openInvites: [String: Double] = [:]
    private var answered: [String: Double] = [:]

    private enum CodingKeys: String, CodingKey { case messages, resent, responses, requests, setupTimesMs }

    /// Mean, min and max setup time in whole milliseconds (truncated), as tshark prints them.
    public var setupSummaryMs: (mean: Int, min: Int, max: Int)? {
        guard !setupTimesMs.isEmpty else { return nil }
        return (Int(setupTimesMs.reduce(0, +) / Double(setupTimesMs.count)), Int(setupTimesMs.min()!), Int(setupTimesMs.max()!))
    }

    /// - Parameter unixSeconds: the frame's capture time.
    mutating func add(_ m: SIPMessageSummary, unixSeconds: Double, retransmission: Bool) {
        messages += 1
        if retransmission { resent += 1 }
        let key = (m.callID ?? "") + "\u{1}" + (m.cseq?.split(separator: " ").first.map(String.init) ?? "")
        if let method = m.method {
            requests[method, default: 0] += 1
            if method == "INVITE", openInvites[key] == nil, answered[key] == nil, !retransmission { openInvites[key] = unixSeconds }
            if method == "ACK", let sent = answered.removeValue(forKey: key) { setupTimesMs.append((unixSeconds - sent) * 1000) }
        } else if let code = m.statusCode {
            let parts = m.firstLine.split(separator: " ", maxSplits: 2)
            responses[parts.dropFirst().joined(separator: " "), default: 0] += 1
            if (200..<300).contains(code), m.cseq?.hasSuffix("INVITE") == true, let sent = openInvites.removeValue(forKey: key) {
                answered[key] = sent
            }
        }
    }

    /// In the layout of tshark's sip,stat.
    public func renderText() -> String {
        var out = "===================================================================\nSIP Statistics\n\n"
        out += "Number of SIP messages: \(messages)\nNumber of resent SIP messages: \(resent)\n\n"
        out += "* SIP Status Codes in reply packets\n"
        for (line, n) in responses.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            out += "  SIP " + line.padding(toLength: 20, withPad: " ", startingAt: 0) + ": " + lpad("\(n)", 5) + " Packets\n"
        }
        out += "\n* List of SIP Request methods\n"
        for (method, n) in requests.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            out += "  " + method.padding(toLength: 14, withPad: " ", startingAt: 0) + ": " + lpad("\(n)", 5) + " Packets\n"
        }
        if let s = setupSummaryMs {
            out += "\n* Average setup time \(s.mean) ms\n Min \(s.min) ms\n Max \(s.max) ms\n"
        }
        return out + "===================================================================\n"
    }
}
