import CallCenter

/// Asterisk's `queue_log` (`main/logger.c`, events from `apps/app_queue.c`): one line per event,
/// `epoch|callid|queuename|agent|EVENT|data1|data2|...`, so queue reporting tools written for
/// Asterisk read ccengine's history. Made from `OperationsEvent`s; a value that remembers when
/// each agent logged in (AGENTLOGOFF's login time). See docs/operations.md for the mapping and
/// the events ccengine does not produce.
public struct QueueLog: Sendable {
    public struct Line: Sendable, Equatable, CustomStringConvertible {
        public var epoch: Int
        public var callID: String
        public var queue: String
        public var agent: String
        public var event: String
        public var data: [String]

        /// The fields as Asterisk writes them: `|` separated; a `|` or line break inside a field
        /// (a caller id could carry one) is replaced so a line always has its fields.
        public var description: String {
            ([String(epoch), callID, queue, agent, event] + data)
                .map { String($0.map { $0 == "|" || $0 == "\n" || $0 == "\r" ? "_" : $0 }) }
                .joined(separator: "|")
        }
    }

    /// Engine time of each logged-in agent's login.
    private var loggedInAt: [AgentID: Duration] = [:]

    public init() {}

    /// The channel name Asterisk would write for an agent's phone (a PJSIP endpoint).
    public static func channel(_ agent: AgentID) -> String { "PJSIP/" + agent }

    /// The lines for `event`; `origin` is the Unix time of engine time zero.
    public mutating func lines(for event: OperationsEvent, origin: Double) -> [Line] {
        let epoch = Int((origin + event.at.seconds).rounded(.down))
        func line(_ call: String, _ queue: String, _ agent: String, _ name: String, _ data: [String]) -> Line {
            Line(epoch: epoch, callID: call, queue: queue, agent: agent, event: name, data: data)
        }
        func s(_ d: Duration) -> String { String(Int(d.seconds.rounded())) }
        switch event.kind {
        case .callQueued(let id, let queue, let caller, let position):
            return [line(id, queue, "NONE", "ENTERQUEUE", ["", caller.id, String(position)])]
        case .callOffered, .queueFigures:
            return []  // Asterisk writes no line for a ring; RINGNOANSWER or CONNECT follows.
        case .ringNoAnswer(let id, let queue, let agent, let ring):
            return [line(id, queue, agent, "RINGNOANSWER", [String(Int((ring.seconds * 1000).rounded()))])]
        case .callAnswered(let id, let queue, let agent, let leg, let hold, let ring):
            return [line(id, queue, agent, "CONNECT", [s(hold), leg, s(ring)])]
        case .callEnded(let r, let position, let original):
            let wait = s(r.waitTime)
            if let answered = r.answeredAt {
                // Who ended the bridge: the caller, or the agent's side (the agent, or the center for it).
                let name = r.endReason == .callerHangUp ? "COMPLETECALLER" : "COMPLETEAGENT"
                return [line(r.callID, r.queue, r.agent ?? "NONE", name, [s(answered - r.enqueuedAt), s(r.endedAt - answered), String(original)])]
            }
            switch (r.disposition, r.endReason) {
            case (.rejected, _):
                return []  // refused on arrival (queue full): it never entered the queue
            case (.abandoned, _):
                return [line(r.callID, r.queue, "NONE", "ABANDON", [String(position), String(original), wait])]
            default:
                // Maximum wait, maximum attempts, a recipe's voicemail, or the engine ending the
                // wait (shutdown, operator, media fault): the caller left without giving up.
                return [line(r.callID, r.queue, "NONE", "EXITWITHTIMEOUT", [String(position), String(original), wait])]
            }
        case .agentStateChanged(let agent, let from, let to):
            var out: [Line] = []
            if from == .offline, to != .offline {
                loggedInAt[agent] = event.at
                out.append(line("NONE", "NONE", agent, "AGENTLOGIN", [Self.channel(agent)]))
            }
            if case .released(let reason) = to {
                if case .released = from {} else { out.append(line("NONE", "NONE", agent, "PAUSE", [reason.id])) }
            } else if case .released = from, to != .offline {
                out.append(line("NONE", "NONE", agent, "UNPAUSE", [""]))
            }
            if to == .offline, from != .offline {
                let since = loggedInAt.removeValue(forKey: agent) ?? event.at
                out.append(line("NONE", "NONE", agent, "AGENTLOGOFF", [Self.channel(agent), s(event.at - since)]))
            }
            return out
        }
    }
}
