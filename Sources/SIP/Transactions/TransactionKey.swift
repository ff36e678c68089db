/// What identifies one transaction (RFC 3261 §17.1.3 and §17.2.3): the top Via's branch and
/// sent-by plus the method, where an ACK carries the method of the INVITE it acknowledges and a
/// CANCEL keeps its own (so a CANCEL has its own transaction next to the INVITE's, §9.2).
/// `role` keeps our client transactions apart from server ones even if a request loops back.
public struct TransactionKey: Hashable, Sendable, CustomStringConvertible {
    public enum Role: String, Hashable, Sendable {
        case client, server
    }

    public let role: Role
    public let branch: String
    public let sentBy: String
    public let method: String
    /// The fields' hash, taken once: a key is looked up several times per message and the tables
    /// it keys (transactions, their timers) rehash every key when they grow, which with ~50,000
    /// keys of three strings each stalled the SIP loop for ~50 ms at a time under load.
    private let hash: Int

    public init(role: Role, branch: String, sentBy: String, method: String) {
        self.role = role
        self.branch = branch
        self.sentBy = sentBy
        self.method = method
        var h = Hasher()
        h.combine(role)
        h.combine(branch)
        h.combine(sentBy)
        h.combine(method)
        hash = h.finalize()
    }

    public static func == (a: TransactionKey, b: TransactionKey) -> Bool {
        a.hash == b.hash && a.role == b.role && a.branch == b.branch && a.sentBy == b.sentBy && a.method == b.method
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public var description: String { "\(role) \(method) \(branch) \(sentBy)" }

    /// The key of the client transaction that sends `request` (we always put a magic-cookie
    /// branch in our own Via). Nil when the request has no Via branch.
    public static func client(sending request: SIPMessage) -> TransactionKey? {
        guard let method = request.method, let branch = request.branch, let sentBy = request.topViaSentBy else { return nil }
        return TransactionKey(role: .client, branch: branch, sentBy: sentBy, method: method)
    }

    /// §17.1.3: the client transaction a response belongs to: the top Via's branch and the CSeq
    /// method (the response's Via is a copy of ours, so sent-by matches too).
    public static func client(receiving response: SIPMessage) -> TransactionKey? {
        guard let branch = response.branch, let sentBy = response.topViaSentBy else { return nil }
        return TransactionKey(role: .client, branch: branch, sentBy: sentBy, method: response.cseq.method)
    }

    /// §17.2.3: the server transaction a received request belongs to (ACK maps to INVITE).
    public static func server(receiving request: SIPMessage) -> TransactionKey? {
        guard let method = request.method else { return nil }
        return server(message: request, method: method == "ACK" ? "INVITE" : method)
    }

    /// The server transaction a TU's response is for: its Via is the request's, its CSeq method
    /// the request's method.
    public static func server(sending response: SIPMessage) -> TransactionKey? {
        server(message: response, method: response.cseq.method)
    }

    private static func server(message: SIPMessage, method: String) -> TransactionKey? {
        guard let sentBy = message.topViaSentBy else { return nil }
        if let branch = message.branch, branch.hasPrefix(SIPMessage.branchMagicCookie) {
            return TransactionKey(role: .server, branch: branch, sentBy: sentBy, method: method)
        }
        // §17.2.3, RFC 2543 peers (no magic cookie): match on Call-ID, CSeq number, From tag and
        // top Via instead. The To tag is left out so an ACK (which carries our tag) still matches
        // its INVITE; the Request-URI is left out so the TU's response finds the transaction.
        let legacy = "rfc2543|\(message.callID)|\(message.cseq.number)|\(message.from.tag ?? "")|\(message.branch ?? "")"
        return TransactionKey(role: .server, branch: legacy, sentBy: sentBy, method: method)
    }

    /// §9.2: the INVITE server transaction a received CANCEL refers to (same key, method INVITE).
    public var cancelledInvite: TransactionKey {
        TransactionKey(role: role, branch: branch, sentBy: sentBy, method: "INVITE")
    }
}
