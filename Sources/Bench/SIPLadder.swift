/// One SIP message in a dialog's ladder.
public struct SIPLadderEntry: Codable, Sendable, Equatable {
    /// tshark's frame number.
    public var frame: Int
    /// Seconds since the capture's first frame (one clock for every ladder of the capture).
    public var seconds: Double
    public var source: UDPEndpoint
    public var destination: UDPEndpoint
    public var firstLine: String
    public var cseq: String?
    /// The same request (first line, CSeq, top Via branch) or response (status line, CSeq,
    /// branch) was already seen in this dialog.
    public var retransmission: Bool
    public var hasSDP: Bool
}

/// All messages sharing one Call-ID, in capture order.
public struct SIPDialogLadder: Codable, Sendable, Equatable {
    /// Empty when messages carried no Call-ID.
    public var callID: String
    /// Seconds from the capture's first frame to the dialog's first message.
    public var startSeconds: Double
    /// Endpoints in order of first appearance: the ladder's columns.
    public var endpoints: [UDPEndpoint]
    public var messages: [SIPLadderEntry]
    /// Audio addresses announced in this dialog's SDP bodies.
    public var mediaEndpoints: [UDPEndpoint]
    /// The method of its first request (INVITE, REGISTER, MESSAGE, OPTIONS...).
    public var method: String?
    /// From and To users of its first request.
    public var fromUser: String?
    public var toUser: String?
    /// ccengine's `X-CC-Call` in this dialog: it is an agent leg of that customer call.
    public var linkedCall: String?

    /// A text ladder: one column per endpoint, one arrow per message, times on the capture's clock.
    public func renderText() -> String {
        Self.renderLadder(title: "Call-ID: \(callID.isEmpty ? "(none)" : callID)", lanes: endpoints.map(\.description),
                          endpoints: endpoints, messages: messages)
    }

    /// The text ladder of `messages` between `endpoints` (columns headed by `lanes`); each line
    /// starts with the message's time in seconds since the capture's first frame.
    static func renderLadder(title: String, lanes: [String], endpoints: [UDPEndpoint], messages: [SIPLadderEntry]) -> String {
        let labels = messages.map { Self.label($0) }
        let width = max(22, (labels.map(\.count).max() ?? 0) + 6, (lanes.map(\.count).max() ?? 0) + 3)
        let margin = 12
        var out = title + "\n"
        var header = String(repeating: " ", count: margin)
        for (i, name) in lanes.enumerated() {
            let column = margin + i * width
            let start = max(header.count + (i == 0 ? 0 : 2), column - name.count / 2)
            header += String(repeating: " ", count: start - header.count) + name
        }
        out += header + "\n"
        for (entry, label) in zip(messages, labels) {
            var line = Array(String(repeating: " ", count: margin + max(0, endpoints.count - 1) * width + 1))
            for i in endpoints.indices { line[margin + i * width] = "|" }
            let from = endpoints.firstIndex(of: entry.source) ?? 0
            let to = endpoints.firstIndex(of: entry.destination) ?? 0
            let time = fmt(entry.seconds, 6)
            for (k, c) in time.enumerated() where k < margin - 1 { line[k] = c }
            if from == to {
                let text = Array("|<> " + label)
                let at = margin + from * width
                line += Array(repeating: " ", count: max(0, at + text.count - line.count))
                for (k, c) in text.enumerated() { line[at + k] = c }
            } else {
                let left = margin + min(from, to) * width + 1
                let right = margin + max(from, to) * width - 1
                for k in left...right { line[k] = "-" }
                if to > from { line[right] = ">" } else { line[left] = "<" }
                let text = Array(" " + label + " ")
                let at = left + max(1, (right - left + 1 - text.count) / 2)
                for (k, c) in text.enumerated() where at + k < right { line[at + k] = c }
            }
            var rendered = String(line)
            while rendered.last == " " { rendered.removeLast() }
            if let cseq = entry.cseq { rendered += "  CSeq " + cseq }
            if entry.retransmission { rendered += "  (retransmission)" }
            out += rendered + "\n"
        }
        return out
    }

    /// Method, or status code and reason, plus "+SDP".
    public static func label(_ entry: SIPLadderEntry) -> String {
        let parts = entry.firstLine.split(separator: " ", maxSplits: 2)
        let base = entry.firstLine.hasPrefix("SIP/2.0") ? parts.dropFirst().joined(separator: " ")
            : String(parts.first ?? "")
        return entry.hasSDP ? base + " (SDP)" : base
    }
}

/// Groups SIP messages by Call-ID and flags retransmissions.
struct SIPLadderBuilder {
    private var dialogIndex: [String: Int] = [:]
    private(set) var dialogs: [SIPDialogLadder] = []
    private var seenKeys: [Set<String>] = []

    /// Adds a message; returns whether it is a retransmission.
    @discardableResult
    mutating func add(
        _ message: SIPMessageSummary, frame: Int, seconds: Double, source: UDPEndpoint,
        destination: UDPEndpoint
    ) -> Bool {
        let callID = message.callID ?? ""
        let d: Int
        if let existing = dialogIndex[callID] {
            d = existing
        } else {
            d = dialogs.count
            dialogIndex[callID] = d
            dialogs.append(SIPDialogLadder(
                callID: callID, startSeconds: seconds, endpoints: [], messages: [], mediaEndpoints: []))
            seenKeys.append([])
        }
        let key = message.firstLine + "\u{1}" + (message.cseq ?? "") + "\u{1}" + (message.topViaBranch ?? "")
        let retransmission = !seenKeys[d].insert(key).inserted
        for endpoint in [source, destination] where !dialogs[d].endpoints.contains(endpoint) {
            dialogs[d].endpoints.append(endpoint)
        }
        for endpoint in message.sdp?.audioEndpoints ?? [] where !dialogs[d].mediaEndpoints.contains(endpoint) {
            dialogs[d].mediaEndpoints.append(endpoint)
        }
        if let method = message.method, dialogs[d].method == nil {
            dialogs[d].method = method
            dialogs[d].fromUser = message.fromUser
            dialogs[d].toUser = message.toUser
        }
        if dialogs[d].linkedCall == nil { dialogs[d].linkedCall = message.ccCall }
        dialogs[d].messages.append(SIPLadderEntry(
            frame: frame, seconds: seconds, source: source,
            destination: destination, firstLine: message.firstLine, cseq: message.cseq,
            retransmission: retransmission, hasSDP: message.sdp != nil))
        return retransmission
    }
}
