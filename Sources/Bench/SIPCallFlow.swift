/// One call as people draw it: the customer's INVITE dialog and the agent legs ccengine linked
/// to it (their `X-CC-Call` names the customer Call-ID), merged in capture order on the
/// capture's clock; lanes customer -> engine -> agents, named by SIP user.
public struct SIPCallFlow: Codable, Sendable, Equatable {
    public struct Lane: Codable, Sendable, Equatable {
        /// "cust1", "engine", "alice"; the address when no user is known.
        public var name: String
        public var endpoint: UDPEndpoint
    }

    /// The customer leg's Call-ID.
    public var callID: String
    /// Call-IDs of every leg, the customer's first.
    public var legs: [String]
    public var lanes: [Lane]
    public var messages: [SIPLadderEntry]
    public var startSeconds: Double { messages.first?.seconds ?? 0 }

    public func renderText() -> String {
        let title = "Call \(callID)" + (legs.count > 1 ? " (+ \(legs.count - 1) agent leg\(legs.count == 2 ? "" : "s"))" : "")
        return SIPDialogLadder.renderLadder(title: title, lanes: lanes.map { "\($0.name) \($0.endpoint)" },
                                            endpoints: lanes.map(\.endpoint), messages: messages)
    }
}

/// Dialogs that are not calls (REGISTER, MESSAGE, OPTIONS, SUBSCRIBE...), summarised per method
/// instead of drawn one by one.
public struct SIPDialogSummary: Codable, Sendable, Equatable {
    public var method: String
    public var dialogs: Int
    public var messages: Int
    /// Final and provisional responses seen in those dialogs, "200 OK" -> count.
    public var responses: [String: Int]
}

enum SIPCallFlows {
    /// INVITE dialogs become call flows (agent legs joined to their customer leg); the others are
    /// summarised by method.
    static func build(_ dialogs: [SIPDialogLadder]) -> (calls: [SIPCallFlow], others: [SIPDialogSummary]) {
        let invites = dialogs.filter { $0.method == "INVITE" }
        let byCall = Dictionary(grouping: invites.filter { $0.linkedCall != nil }, by: { $0.linkedCall! })
        let customerIDs = Set(invites.filter { $0.linkedCall == nil }.map(\.callID))
        var calls: [SIPCallFlow] = []
        for customer in invites where customer.linkedCall == nil || !customerIDs.contains(customer.linkedCall!) {
            let agents = customer.linkedCall == nil ? byCall[customer.callID] ?? [] : []
            calls.append(flow(customer, agents: agents))
        }
        var others: [String: SIPDialogSummary] = [:]
        for d in dialogs where d.method != "INVITE" {
            let method = d.method ?? "(responses only)"
            var s = others[method] ?? SIPDialogSummary(method: method, dialogs: 0, messages: 0, responses: [:])
            s.dialogs += 1
            s.messages += d.messages.count
            for m in d.messages where m.firstLine.hasPrefix("SIP/2.0 ") {
                s.responses[m.firstLine.split(separator: " ", maxSplits: 1).dropFirst().joined(), default: 0] += 1
            }
            others[method] = s
        }
        return (calls.sorted { $0.startSeconds < $1.startSeconds }, others.values.sorted { $0.method < $1.method })
    }

    static func flow(_ customer: SIPDialogLadder, agents: [SIPDialogLadder]) -> SIPCallFlow {
        var lanes: [SIPCallFlow.Lane] = []
        func lane(_ e: UDPEndpoint, _ name: String?) {
            if !lanes.contains(where: { $0.endpoint == e }) { lanes.append(.init(name: name ?? e.description, endpoint: e)) }
        }
        let first = customer.messages.first
        if let first { lane(first.source, customer.fromUser) }
        // The engine: the customer INVITE's destination; with agent legs, it sends their INVITEs.
        let engine = first?.destination
        if let engine { lane(engine, agents.isEmpty ? customer.toUser : "engine") }
        for a in agents {
            guard let invite = a.messages.first else { continue }
            lane(invite.source == engine ? invite.destination : invite.source, a.toUser)
        }
        for d in [customer] + agents { for e in d.endpoints { lane(e, nil) } }
        let messages = (customer.messages + agents.flatMap(\.messages)).sorted { $0.frame < $1.frame }
        return SIPCallFlow(callID: customer.callID, legs: [customer.callID] + agents.map(\.callID), lanes: lanes, messages: messages)
    }
}
