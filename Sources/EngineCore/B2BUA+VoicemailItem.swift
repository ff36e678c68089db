import CallCenter
import SIP

/// Voicemail messages as items for agents (OpenACD's stateless media, seed 000). A saved message
/// enters its queue as a call of media `voicemail` whose caller is the engine's recording: its
/// customer leg is over from the start, so nothing is ever sent to it. The routing core
/// dispatches the item with the queue's skills like any call (it has no maximum wait and is never
/// given up: it waits until an agent takes it). The agent's phone rings with `X-CC-Media:
/// voicemail`; once answered it hears the message, then our BYE, and the item is recorded
/// answered with reason `message-played` (or `agent-hangup` when the agent hangs up first).
extension B2BUA {
    struct MessageItem: Sendable {
        let message: VoicemailMessage
        /// The playback that ends the item (`promptPlayed`).
        static let token = 2_000
    }

    /// A saved message waits in its queue, holding no relay port until an agent is rung (its
    /// caller side never has one).
    mutating func queueVoicemail(_ message: VoicemailMessage, now: Duration, into out: inout [B2BUAAction]) {
        guard queues.contains(message.queue) else {
            out.append(.log(.warning, "the voicemail of \(message.call) is for queue \(message.queue), which is not configured; kept in the voicemails table, not offered", call: nil))
            return
        }
        let id = "\(message.call)-vm-\(ids.tag())"
        let leg = CustomerLeg(message: message, id: id, host: settings.mediaHost, localTag: ids.tag())
        var call = BridgedCall(id: id, customer: leg)
        call.acceptedAt = now
        call.queue = message.queue
        call.message = MessageItem(message: message)
        calls[id] = call
        let caller = CallerInfo(id: message.caller)
        out.append(.openRecord(AcceptedCall(callID: id, queue: message.queue, caller: caller, acceptedAt: now, media: .voicemail)))
        out.append(.log(.info, "the voicemail of \(message.call) (\(Int(message.seconds.rounded())) s) waits in \(message.queue) for an agent", call: id))
        route(.callArrived(id, queue: message.queue, caller: caller, media: .voicemail, priority: 1), now: now, into: &out)
    }

    /// The agent answered the item: its phone hears the message in the codec it chose.
    mutating func playMessage(_ id: CallID, to agent: AgentID, agentAudio: MediaDescription?, into out: inout [B2BUAAction]) {
        guard let item = calls[id]?.message else { return }
        let pt = agentAudio?.formats.first { ["PCMU", "PCMA"].contains(agentAudio?.encodingName(of: $0) ?? "") } ?? 0
        let codec = agentAudio?.encodingName(of: pt) ?? "PCMU"
        out.append(.log(.info, "agent \(agent) takes the voicemail of \(item.message.call)", call: id))
        out.append(.voicemailDelivered(item.message, item: id, agent: agent))
        out.append(.playMedia(id, .agent, .message(file: item.message.file, token: MessageItem.token), AudioFormat(codec: codec, payloadType: pt)))
    }

    /// The message has played to its end: we hang up the agent.
    mutating func messagePlayed(_ id: CallID, token: Int, now: Duration, into out: inout [B2BUAAction]) {
        guard token == MessageItem.token, calls[id]?.bridgedLeg != nil else { return }
        out.append(.log(.info, "the voicemail has played; hanging up the agent", call: id))
        route(.messagePlayed(id), now: now, into: &out)
    }
}

extension CustomerLeg {
    /// The caller side of a voicemail item: an INVITE as the caller would have sent it (from its
    /// id, to the queue, offering G.711 and telephone-event), over before it starts.
    init(message: VoicemailMessage, id: CallID, host: String, localTag: String) {
        let offer = SessionDescription(
            sessionID: 0, sessionVersion: 1, originAddress: host, connectionAddress: host,
            media: [MediaDescription(port: 9, formats: [0, 8, 101], attributes: [
                .init("rtpmap", "0 PCMU/8000"), .init("rtpmap", "8 PCMA/8000"),
                .init("rtpmap", "101 telephone-event/8000"), .init("fmtp", "101 0-16"), .init("sendrecv"),
            ])])
        var from = NameAddress(uri: SIPURI(user: message.caller, host: host))
        from.tag = localTag
        let invite = SIPMessage(
            startLine: .request(method: "INVITE", uri: SIPURI(user: message.queue, host: host)),
            via: [], from: from, to: NameAddress(uri: SIPURI(user: message.queue, host: host)),
            callID: id, cseq: CSeq(1, "INVITE"), contentType: "application/sdp", body: offer.bytes)
        let unreachable = Endpoint(host: host, port: 9)
        self.init(invite: invite, responseTarget: unreachable, source: unreachable, localTag: localTag,
                  dialog: Dialog(uas: invite, localTag: localTag), offer: offer, trying: invite.response(100))
        callerEnded()
    }
}
