import CallCenter
import SIP

/// IVR menus (`Menu`): the caller is answered (200 with one codec), hears the menu's prompt and
/// presses a key; an option sends it to a queue (with skills and priority of its choice), to
/// another menu, or hangs up. The path (menus and keys) is saved once the caller leaves the menus.
/// A caller who hangs up or is hung up in a menu gets its row here, since no queue saw it.
extension B2BUA {
    struct MenuVisit: Sendable {
        let name: String
        let format: AudioFormat
        /// Prompts played again so far (timeouts and invalid keys).
        var retries = 0
        /// The prompt is still playing (a key stops it: barge-in).
        var prompting = true
        /// Which prompt plays (`promptPlayed` of an earlier one, stopped, is ignored).
        var token: Int
    }

    /// Keys a caller may press in the menus before further ones are ignored (a DTMF flood).
    static let maxMenuKeys = 64

    /// A caller reached a menu's address: answered, digits read, the prompt played.
    mutating func enterMenu(_ id: CallID, _ name: String, now: Duration, into out: inout [B2BUAAction]) {
        guard let menu = menus[name], var call = calls[id] else { return }
        let format: AudioFormat
        if let visit = call.menu {
            format = visit.format
        } else if let answered = answerForMedia(&call, status: 200, answeredBy: "menu", into: &out) {
            format = answered
            out.append(.send(call.customer.lastResponse, to: call.customer.responseTarget))
            if let events = call.customer.answer?.audio?.telephoneEvent {
                out.append(.detectDigits(id, .caller, payloadType: events))
            }
        } else {
            return
        }
        let token = (call.menu?.token ?? 0) + 1
        call.menu = MenuVisit(name: name, format: format, token: token)
        call.menuPath.append(name)
        calls[id] = call
        out.append(.log(.info, "caller in menu \(name)", call: id))
        out.append(.playMedia(id, .caller, .prompt([menu.prompt], token: token), format))
    }

    /// The prompt has played: the timeout runs from now.
    mutating func menuPromptPlayed(_ id: CallID, token: Int, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var visit = call.menu, visit.prompting, visit.token == token, let menu = menus[visit.name] else { return }
        visit.prompting = false
        call.menu = visit
        calls[id] = call
        out.append(.startTimer(.menuTimeout(id), at: now + menu.timeout))
    }

    mutating func menuDigit(_ id: CallID, _ digit: Character, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var visit = call.menu, let menu = menus[visit.name] else { return }
        guard call.menuKeys < Self.maxMenuKeys else {
            // Counted by keys: the path holds menu names too, so its length skipped past the cap
            // and the flood was ignored without the log line or the path's "…".
            if call.menuKeys == Self.maxMenuKeys {
                out.append(.log(.notice, "caller pressed \(Self.maxMenuKeys) keys in the menus; further keys are ignored", call: id))
                call.menuPath.append("…")
                call.menuKeys += 1
                calls[id] = call
            }
            return
        }
        out.append(.cancelTimer(.menuTimeout(id)))
        if visit.prompting { out.append(.stopMedia(id, .caller)) }  // barge-in
        visit.prompting = false
        call.menu = visit
        call.menuPath.append(String(digit))
        call.menuKeys += 1
        calls[id] = call
        guard let option = menu.options[digit] else {
            out.append(.log(.info, "menu \(visit.name): no option for key \(digit)", call: id))
            retryMenu(id, invalidKey: true, now: now, into: &out)
            return
        }
        take(option, id, now: now, into: &out)
    }

    mutating func menuTimedOut(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard let visit = calls[id]?.menu, !visit.prompting else { return }
        out.append(.log(.info, "menu \(visit.name): no key within the timeout", call: id))
        retryMenu(id, invalidKey: false, now: now, into: &out)
    }

    private mutating func retryMenu(_ id: CallID, invalidKey: Bool, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var visit = call.menu, let menu = menus[visit.name] else { return }
        guard visit.retries < menu.retries else {
            take(menu.otherwise, id, now: now, into: &out)
            return
        }
        visit.retries += 1
        visit.prompting = true
        visit.token += 1
        call.menu = visit
        calls[id] = call
        let prompts = (invalidKey ? [menu.invalid].compactMap { $0 } : []) + [menu.prompt]
        out.append(.playMedia(id, .caller, .prompt(prompts, token: visit.token), visit.format))
    }

    private mutating func take(_ option: Menu.Option, _ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], let visit = call.menu else { return }
        switch option {
        case .menu(let next):
            enterMenu(id, next, now: now, into: &out)  // the caller stays answered, in the same format
        case .queue(let queue, let skills, let priority):
            call.menu = nil
            call.queue = queue
            calls[id] = call
            out.append(.stopMedia(id, .caller))
            out.append(.saveMenuPath(id, call.menuPath))
            out.append(.log(.info, "menu \(visit.name): into queue \(queue)\(skills.isEmpty ? "" : " with skills \(skills.joined(separator: ","))")", call: id))
            let caller = Self.caller(of: call.customer.invite)
            let p = priority ?? call.customer.invite.header("X-CC-Priority").flatMap { Int($0) } ?? 1
            route(.callArrivedWithSkills(id, queue: queue, caller: caller, media: .voice, priority: p, skills: skills.map { Skill($0) }), now: now, into: &out)
            if calls[id]?.customer.phase == .answered, calls[id]?.recorded == false {
                startQueueMedia(id, queue: queue, now: now, into: &out)
            }
        case .voicemail(let queue):
            out.append(.cancelTimer(.menuTimeout(id)))
            out.append(.saveMenuPath(id, call.menuPath))
            out.append(.log(.info, "menu \(visit.name): into the voicemail of \(queue)", call: id))
            call.queue = queue
            calls[id] = call
            if startVoicemail(id, now: now, into: &out) {
                recordMenuCall(id, queue: queue, disposition: .voicemail, reason: .voicemail, now: now, into: &out)
            } else {
                endCustomer(id, status: 480, reason: nil, into: &out)
                recordMenuCall(id, disposition: .failed, reason: .voicemail, now: now, into: &out)
            }
        case .hangup:
            out.append(.saveMenuPath(id, call.menuPath))
            out.append(.log(.info, "menu \(visit.name): hung up", call: id))
            endCustomer(id, status: 480, reason: nil, into: &out)
            recordMenuCall(id, disposition: .failed, reason: .maxAttempts, now: now, into: &out)
        }
    }

    /// The caller hung up in a menu: its row (abandoned), its path.
    mutating func callerLeftMenu(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard let call = calls[id], call.menu != nil else { return }
        out.append(.cancelTimer(.menuTimeout(id)))
        out.append(.saveMenuPath(id, call.menuPath))
        recordMenuCall(id, disposition: .abandoned, reason: .callerHangUp, now: now, into: &out)
    }

    /// The row of a call that never reached a queue's routing: its queue is the first menu's
    /// name (or, into a voicemail box, that box's queue).
    private mutating func recordMenuCall(_ id: CallID, queue: String? = nil, disposition: Disposition, reason: EndReason, now: Duration,
                                         into out: inout [B2BUAAction]) {
        guard var call = calls[id] else { return }
        let name = call.menuPath.first ?? ""
        call.menu = nil
        call.recorded = true
        calls[id] = call
        out.append(.record(CallRecord(
            callID: id, queue: queue ?? name, originalQueue: name, agent: nil, caller: Self.caller(of: call.customer.invite), media: .voice,
            enqueuedAt: call.acceptedAt, firstRingAt: nil, answeredAt: nil, endedAt: now, disposition: disposition, attempts: 0, endReason: reason)))
        finishIfDone(id, now: now, into: &out)
    }

    /// Answers an early caller with our SDP (one codec the relay can encode to) in a 183 or 200;
    /// the format the relay plays in. Nil when the caller has no usable audio. A 200 of our own
    /// says who answered in `X-CC-Answered-By` (menu, queue, voicemail): no agent yet, which a
    /// simulator (ccsim) must know to count the call answered only at the agent's answer.
    mutating func answerForMedia(_ call: inout BridgedCall, status: Int, answeredBy: String, into out: inout [B2BUAAction]) -> AudioFormat? {
        guard call.customer.phase == .early, var answer = customerAnswer(call, singleCodec: true), let audio = answer.audio,
              let pt = audio.formats.first(where: { settings.codecs.contains(audio.encodingName(of: $0) ?? "") }),
              let codec = audio.encodingName(of: pt)
        else { return nil }
        answer.sessionVersion = 1
        call.customer.answer = answer
        var response = call.customer.invite.response(status, toTag: call.customer.localTag)
        response.contact = [localContact(over: call.customer.source.transport)]
        response.setHeader("Server", settings.userAgent)
        if status == 200 { response.setHeader(Self.answeredByHeader, answeredBy) }
        response.contentType = "application/sdp"
        response.body = answer.bytes
        if status == 200 { _ = call.customer.answer(with: response) } else { call.customer.progress(response) }
        out.append(.expectPayloadTypes(call.id, .caller, audio.formats))  // what the caller may send (RFC 3264 §5.1)
        return AudioFormat(codec: codec, payloadType: pt)
    }
}
