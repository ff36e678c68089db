import CallCenter
import SIP

/// Agents change their own state from their phone with a SIP MESSAGE (RFC 3428) to the engine,
/// body `text/plain`, From = the agent's address of record:
///
///     release [ID [LABEL...]]   go on break (never offered calls); ID defaults to "break"
///     available                 back from a break (also ends wrap-up)
///     wrapup-done [NOTES...]    end wrap-up now, notes saved with the call
///     pause-recording           pause the recording of the agent's call (silence in the file)
///     resume-recording          resume it
///
/// The same `ControlCommand`s as the REST API. Answered 200, 400 for an unknown command, 403 when
/// the sender is not a registered agent or the agent's state forbids it (the reason says why).
extension B2BUA {
    mutating func agentControl(_ request: SIPMessage, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) {
        let target = responseTarget(request, source)
        let agent = request.from.uri.user ?? ""
        guard authenticated(request, agent: agent, from: source, now: now, into: &out) else { return }
        guard !registrar.bindings(of: agent).isEmpty else {
            out.append(.send(request.response(403, "Forbidden (not a registered agent)", toTag: ids.tag()), to: target))
            return
        }
        let words = String(decoding: request.body, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\r" || $0 == "\n" }).map(String.init)
        let command: ControlCommand
        switch words.first?.lowercased() {
        case "release":
            let id = words.count > 1 ? words[1] : "break"
            let label = words.count > 2 ? words[2...].joined(separator: " ") : id
            command = .release(agent, ReleaseReason(id: id, label: label))
        case "available":
            command = .makeAvailable(agent)
        case "wrapup-done":
            command = .wrapUpDone(agent, notes: words.count > 1 ? words[1...].joined(separator: " ") : nil)
        case let word? where word == "pause-recording" || word == "resume-recording":
            guard case .onCall(let call) = center.agentState(agent) else {
                out.append(.send(request.response(403, "Forbidden (agent \(agent) is on no call)", toTag: ids.tag()), to: target))
                return
            }
            command = .pauseRecording(call, word == "pause-recording")
        default:
            out.append(.send(request.response(400, "Bad Request (expected release, available, wrapup-done, pause-recording or resume-recording)", toTag: ids.tag()), to: target))
            return
        }
        // The response goes first: the routing the command causes may send to this same phone.
        let mark = out.count
        switch control(command, now: now, into: &out) {
        case .done:
            out.insert(.send(request.response(200, toTag: ids.tag()), to: target), at: mark)
            out.insert(.log(.info, "agent \(agent): \(words.joined(separator: " "))", call: nil), at: mark + 1)
        case .refused(let refusal):
            let invalid = refusal.kind == .invalid
            let phrase = "\(invalid ? "Bad Request" : "Forbidden") (\(refusal.detail.filter { $0 != "\r" && $0 != "\n" }))"
            out.insert(.send(request.response(invalid ? 400 : 403, phrase, toTag: ids.tag()), to: target), at: mark)
        }
    }
}
