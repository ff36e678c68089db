import CallCenter
import SIP

/// Voicemail (`queues[].media.voicemail`): where the routing core sends a caller (recipe
/// `voicemail`, `on_max_wait: voicemail`) the caller is answered if it was not, hears the greeting
/// and a beep, and its side is recorded until it hangs up, presses `#`, is silent for the box's
/// `silence` or the maximum passes (then we hang up). The driver saves the message as a WAV with a `voicemails` row.
extension B2BUA {
    struct VoicemailVisit: Sendable {
        let format: AudioFormat
        let token: Int
        /// The greeting has played: the message is being recorded.
        var recording = false
    }

    /// Takes the caller into its queue's voicemail box; false when the queue has none.
    mutating func startVoicemail(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) -> Bool {
        guard let box = calls[id].flatMap({ queueMedia[$0.queue]?.voicemail }) else { return false }
        stopQueueMedia(id, into: &out)
        endAgentLegs(id, into: &out)
        guard var call = calls[id] else { return false }
        let format: AudioFormat
        if call.customer.phase == .answered, let audio = call.customer.answer?.audio, let pt = audio.formats.first, let codec = audio.encodingName(of: pt) {
            format = AudioFormat(codec: codec, payloadType: pt)
        } else if let answered = answerForMedia(&call, status: 200, answeredBy: "voicemail", into: &out) {
            format = answered
            out.append(.send(call.customer.lastResponse, to: call.customer.responseTarget))
        } else {
            return false
        }
        if let events = call.customer.answer?.audio?.telephoneEvent { out.append(.detectDigits(id, .caller, payloadType: events)) }
        let token = (call.menu?.token ?? 0) + 1_000
        call.voicemail = VoicemailVisit(format: format, token: token)
        calls[id] = call
        out.append(.log(.info, "caller sent to the voicemail of \(call.queue)", call: id))
        out.append(.playMedia(id, .caller, .prompt([box.greeting, .word(SpokenPrompts.beep)], token: token), format))
        return true
    }

    /// The greeting and beep have played: the message is recorded from now.
    mutating func voicemailPromptPlayed(_ id: CallID, token: Int, now: Duration, into out: inout [B2BUAAction]) {
        guard var call = calls[id], var visit = call.voicemail, visit.token == token, !visit.recording,
              let box = queueMedia[call.queue]?.voicemail else { return }
        visit.recording = true
        call.voicemail = visit
        calls[id] = call
        out.append(.recordVoicemail(id, queue: call.queue, caller: Self.caller(of: call.customer.invite).id,
                                    maxSeconds: Int(box.max.components.seconds)))
        out.append(.startTimer(.voicemailMax(id), at: now + box.max))
        if let silence = box.silence { out.append(.watchQuiet(id, .caller, seconds: Int(silence.components.seconds))) }
    }

    /// The caller has said nothing for the box's `silence`: the message ends.
    mutating func voicemailQuiet(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard calls[id]?.voicemail?.recording == true, let silence = queueMedia[calls[id]?.queue ?? ""]?.voicemail?.silence else { return }
        endVoicemail(id, why: "\(silence.components.seconds) s of silence", now: now, into: &out)
    }

    /// `#` ends the message (any key during the greeting skips to the beep's end: not built).
    mutating func voicemailDigit(_ id: CallID, _ digit: Character, now: Duration, into out: inout [B2BUAAction]) {
        guard digit == "#", calls[id]?.voicemail?.recording == true else { return }
        endVoicemail(id, why: "caller pressed #", now: now, into: &out)
    }

    mutating func voicemailMaxReached(_ id: CallID, now: Duration, into out: inout [B2BUAAction]) {
        guard calls[id]?.voicemail?.recording == true else { return }
        endVoicemail(id, why: "the maximum length passed", now: now, into: &out)
    }

    private mutating func endVoicemail(_ id: CallID, why: String, now: Duration, into out: inout [B2BUAAction]) {
        out.append(.log(.info, "voicemail ends: \(why); hanging up", call: id))
        out.append(.cancelTimer(.voicemailMax(id)))
        endCustomer(id, status: 480, reason: nil, into: &out)
        finishIfDone(id, now: now, into: &out)
    }
}
