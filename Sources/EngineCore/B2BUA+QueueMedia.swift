import CallCenter
import SIP

/// What a waiting caller hears (`QueueMedia`): answered with a 183 or 200 on entry, then the
/// entry prompt, music on hold, position and periodic announcements, recipe announcements;
/// all stopped when an agent answers, whose audio then reaches the caller on the same stream.
extension B2BUA {
    /// A waiting caller hearing its queue's media.
    struct WaitingMedia: Sendable {
        let queue: String
        let format: AudioFormat
        /// Position announcements said so far (`holdtime: once`).
        var positionsSaid = 0
    }

    /// On entry: answers the caller as the queue says (183 or 200 with our SDP, one codec the
    /// relay can encode to) and starts what it hears. Nothing for a queue without media.
    /// A caller already answered (coming from a menu) keeps its answer and format.
    mutating func startQueueMedia(_ id: CallID, queue: String, now: Duration, into out: inout [B2BUAAction]) {
        guard let media = queueMedia[queue], media.plays, var call = calls[id] else { return }
        let format: AudioFormat
        if call.customer.phase == .answered, let audio = call.customer.answer?.audio, let pt = audio.formats.first,
           let codec = audio.encodingName(of: pt) {
            format = AudioFormat(codec: codec, payloadType: pt)
        } else if let answered = answerForMedia(&call, status: media.answer == .queued ? 200 : 183, answeredBy: "queue", into: &out) {
            format = answered
            out.append(.send(call.customer.lastResponse, to: call.customer.responseTarget))
        } else {
            return
        }
        call.waitingMedia = WaitingMedia(queue: queue, format: format)
        calls[id] = call
        out.append(.log(.debug, "queue media for the waiting caller (\(call.customer.lastResponse.status == 200 ? "answered 200" : "early media 183"), \(format.codec))", call: id))
        if let music = media.music { out.append(.playMedia(id, .caller, .music(music), format)) }
        if let entry = media.entry { out.append(.playMedia(id, .caller, .announce([entry]), format)) }
        if let p = media.position { out.append(.startTimer(.announcement(id, .position), at: now + p.firstAfter)) }
        if let p = media.periodic { out.append(.startTimer(.announcement(id, .periodic), at: now + p.firstAfter)) }
    }

    /// A position or periodic announcement is due: said (when the caller still waits for an
    /// agent) and the next one armed.
    mutating func announcementDue(_ id: CallID, _ kind: QueueAnnouncement, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var waiting = call.waitingMedia, let media = queueMedia[waiting.queue] else { return }
        switch kind {
        case .periodic:
            guard let p = media.periodic else { return }
            out.append(.playMedia(id, .caller, .announce([p.prompt]), waiting.format))
            out.append(.startTimer(.announcement(id, .periodic), at: now + p.every))
        case .position:
            guard let p = media.position else { return }
            out.append(.startTimer(.announcement(id, .position), at: now + p.every))
            // Only while waiting for an agent (not while one rings), where its queue says.
            guard let view = center.liveCall(id), view.stage == .waiting else { return }
            let position = center.waitingAhead(inQueue: view.queue, enqueuedBefore: view.enqueuedAt) + 1
            guard p.limit.map({ position <= $0 }) ?? true else { return }
            var words = SpokenPrompts.position(position)
            let sayWait = p.holdTime == .yes || (p.holdTime == .once && waiting.positionsSaid == 0)
            if sayWait, let estimate = holdEstimate[view.queue] {
                // Asterisk: the queue's average hold time less what this caller has waited.
                let left = estimate - (now - engineTime(view.enqueuedAt))
                if left > .zero { words += SpokenPrompts.wait(seconds: Int(left.components.seconds), round: p.roundSeconds) }
            }
            waiting.positionsSaid += 1
            call.waitingMedia = waiting
            calls[id] = call
            out.append(.playMedia(id, .caller, .announce(words), waiting.format))
        }
    }

    /// The recipe's `announce`: played over the music to a caller hearing its queue's media.
    mutating func recipeAnnouncement(_ id: CallID, prompt: String, into out: inout [B2BUAAction]) {
        guard let waiting = calls[id]?.waitingMedia else {
            out.append(.log(.notice, "announce '\(prompt)' not played: the caller hears no queue media (set the queue's media.answer to early or queued)", call: id))
            return
        }
        out.append(.playMedia(id, .caller, .announce([MediaPrompt(named: prompt)]), waiting.format))
    }

    /// An agent answered: the caller stops hearing the queue and hears the agent.
    mutating func stopQueueMedia(_ id: CallID, into out: inout [B2BUAAction]) {
        guard var call = calls[id], call.waitingMedia != nil else { return }
        call.waitingMedia = nil
        calls[id] = call
        out.append(.stopMedia(id, .caller))
        out.append(.cancelTimer(.announcement(id, .position)))
        out.append(.cancelTimer(.announcement(id, .periodic)))
    }
}
