import Foundation
import NIOConcurrencyHelpers

/// What ccsim saw of one customer call, from both ends.
public struct CallObservation: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable { case answered, abandoned, failed, unfinished }
    public var callID: String
    public var queue: String
    public var caller: String
    /// Seconds since the run started, in scenario time (real seconds x the time scale).
    public var offeredAt: Double
    public var answeredAt: Double?
    public var endedAt: Double?
    public var outcome: Outcome = .unfinished
    public var finalStatus: Int?
    public var agent: String?
    public var customerHeard: Heard?
    public var agentHeard: Heard?
    /// Seconds of sound the customer received before an agent answered (or before it left when
    /// none did): the queue's music and announcements, a menu, a voicemail greeting.
    public var heardWhileWaiting: Double?
    /// Which of the engine's prompts and music the customer heard, when (real seconds after its
    /// INVITE), with `queue_media_heard` in a run whose engine ccsim started.
    public var heardTimeline: [HeardSegment]?
    /// Offered during the scenario's warm-up: checked (no_failed, media, records) but left out
    /// of the statistics. nil in reports written before warm-up existed.
    public var warmUp: Bool?
    /// DTMF digits the customer sent after the answer (RFC 4733), if its stream sends any.
    public var dtmfSent: String?
    /// The queue the call ended in when the engine moved it (recipe new_queue, overflow): from
    /// the engine's records in a real run, from the routing core in virtual time; nil when it
    /// stayed in the queue it called, or when the records are not available.
    public var finalQueue: String?
    /// How the engine's SDP answer failed the customer's offer (RFC 3264); nil when it fitted.
    public var answerMismatch: String?

    public struct Heard: Sendable, Equatable, Codable {
        public var packetsSent: UInt64
        public var packetsReceived: UInt64
        public var lost: Int64
        public var toneHz: Double?
        public var expectedHz: Double
        public var verified: Bool
        /// DTMF digits received as RFC 4733 telephone-events (nil in older reports).
        public var dtmf: String?
        /// The codec agreed in SDP, and packets that came in the other G.711 law (nil in older reports).
        public var codec: String?
        public var otherCodecPackets: UInt64?
        /// RTCP reports received from the other phone through the relay (nil in older reports).
        public var rtcpReceived: UInt64?
    }

    /// Real times (seconds since the run's start) to scenario times.
    func scaled(by scale: Double) -> CallObservation {
        guard scale != 1 else { return self }
        var c = self
        c.offeredAt *= scale
        c.answeredAt = answeredAt.map { $0 * scale }
        c.endedAt = endedAt.map { $0 * scale }
        return c
    }

    public var wait: Double? { (answeredAt ?? endedAt).map { $0 - offeredAt } }
    public var mediaVerified: Bool { customerHeard?.verified == true && agentHeard?.verified == true && answerMismatch == nil }
}

/// Observations shared by every phone of a run.
final class Observations: Sendable {
    private let calls = NIOLockedValueBox<[String: CallObservation]>([:])
    private let order = NIOLockedValueBox<[String]>([])
    /// Agent side reports arrive keyed by the customer Call-ID (the engine's X-CC-Call header).
    private let agentSide = NIOLockedValueBox<[String: (agent: String, heard: CallObservation.Heard?)]>([:])

    private let rings = NIOLockedValueBox<[String: Int]>([:])
    /// Customer INVITE sent -> first agent INVITE received, per call (ns): the engine's end-to-end
    /// routing latency over real SIP, measured in one process with one clock, at the sockets:
    /// "sent" is read after the phone encoded the INVITE, as it hands the datagram to the kernel;
    /// "received" is the kernel's receive stamp of the datagram at the agent phone's socket. The
    /// generator's own encoding, decoding and loop scheduling are left out; the kernel's two
    /// loopback hops and the engine's whole handling are in.
    private let inviteTimes = NIOLockedValueBox<[String: UInt64]>([:])
    private let routingLatencies = NIOLockedValueBox<[(call: String, ns: UInt64)]>([])

    func inviteSent(_ callID: String, at t: UInt64) { inviteTimes.withLockedValue { $0[callID] = t } }
    /// `readAt` (when ccsim read the datagram) stands in for a kernel stamp that cannot be this
    /// datagram's (earlier than the send: stamping was not on yet for it).
    func agentInviteReceived(_ callID: String, at t: UInt64, readAt: UInt64) {
        guard let sent = inviteTimes.withLockedValue({ $0.removeValue(forKey: callID) }) else { return }
        let arrived = t >= sent ? t : readAt
        guard arrived >= sent else { return }
        routingLatencies.withLockedValue { $0.append((callID, arrived - sent)) }
    }
    /// Nanoseconds from customer INVITE sent to agent INVITE received, first ring of each call.
    var inviteToAgentInvite: [UInt64] { routingLatencies.withLockedValue { $0.map(\.ns) } }
    /// The same, by customer Call-ID.
    var inviteToAgentInviteByCall: [String: UInt64] {
        routingLatencies.withLockedValue { Dictionary($0.map { ($0.call, $0.ns) }, uniquingKeysWith: { a, _ in a }) }
    }

    func rung(_ agent: String) { rings.withLockedValue { $0[agent, default: 0] += 1 } }
    var ringsPerAgent: [String: Int] { rings.withLockedValue { $0 } }

    /// Voicemail messages the engine offered to agents (`X-CC-Media: voicemail`), and those an
    /// agent answered and listened to (with whether the caller's tone was heard in it).
    private let messages = NIOLockedValueBox<(offered: [String: Int], taken: [String: Int], heard: Int)>(([:], [:], 0))
    func voicemailOffered(to agent: String) { messages.withLockedValue { $0.offered[agent, default: 0] += 1 } }
    func voicemailTaken(by agent: String, heard: CallObservation.Heard?) {
        messages.withLockedValue {
            $0.taken[agent, default: 0] += 1
            if heard?.verified == true { $0.heard += 1 }
        }
    }
    var voicemails: VoicemailsTaken {
        messages.withLockedValue { VoicemailsTaken(offeredPerAgent: $0.offered, takenPerAgent: $0.taken, heard: $0.heard) }
    }

    func offered(_ o: CallObservation) {
        calls.withLockedValue { $0[o.callID] = o }
        order.withLockedValue { $0.append(o.callID) }
    }

    func update(_ id: String, _ f: (inout CallObservation) -> Void) {
        calls.withLockedValue { if var o = $0[id] { f(&o); $0[id] = o } }
    }

    /// Customers whose call the engine answered before any agent (a menu, `answer: queued`),
    /// told when one does.
    private let agentAnswerWaiters = NIOLockedValueBox<[String: @Sendable () -> Void]>([:])

    func agentAnswered(customerCall: String, agent: String) {
        agentSide.withLockedValue { $0[customerCall] = (agent, $0[customerCall]?.heard) }
        agentAnswerWaiters.withLockedValue { $0.removeValue(forKey: customerCall) }?()
    }

    /// Whether an agent has answered this customer call; if not, `then` runs when one does.
    func hasAgentAnswered(_ customerCall: String, otherwise then: @escaping @Sendable () -> Void) -> Bool {
        // Under the waiters' lock, so an answer between the check and the registration is not missed.
        agentAnswerWaiters.withLockedValue { waiters in
            if agentSide.withLockedValue({ $0[customerCall] != nil }) { return true }
            waiters[customerCall] = then
            return false
        }
    }

    func forgetAgentAnswer(_ customerCall: String) { agentAnswerWaiters.withLockedValue { $0[customerCall] = nil } }

    func agentHeard(customerCall: String, agent: String, heard: CallObservation.Heard?) {
        agentSide.withLockedValue { $0[customerCall] = (agent, heard) }
    }

    struct Snapshot { var offered = 0, answered = 0, abandoned = 0, waiting = 0, agentsBusy = 0 }

    var snapshot: Snapshot {
        calls.withLockedValue { all in
            var s = Snapshot()
            s.offered = all.count
            for o in all.values {
                switch o.outcome {
                case .answered: s.answered += 1
                case .abandoned: s.abandoned += 1
                case .unfinished:
                    if o.answeredAt == nil { s.waiting += 1 } else { s.agentsBusy += 1; s.answered += 1 }
                case .failed: break
                }
            }
            return s
        }
    }

    var pending: Int { calls.withLockedValue { $0.values.filter { $0.outcome == .unfinished }.count } }
    var answeredCount: Int { calls.withLockedValue { $0.values.filter { $0.outcome == .answered }.count } }
    var count: Int { calls.withLockedValue { $0.count } }

    func all() -> [CallObservation] {
        let side = agentSide.withLockedValue { $0 }
        let c = calls.withLockedValue { $0 }
        return order.withLockedValue { $0 }.compactMap { id in
            guard var o = c[id] else { return nil }
            if let s = side[id] {
                o.agent = s.agent
                o.agentHeard = s.heard
            }
            return o
        }
    }
}

extension MediaEngine.Report {
    var heard: CallObservation.Heard {
        .init(packetsSent: packetsSent, packetsReceived: packetsReceived, lost: lost, toneHz: dominantFrequency, expectedHz: expectedFrequency, verified: verified,
              dtmf: dtmf.isEmpty ? nil : dtmf, codec: codec, otherCodecPackets: otherCodecPackets, rtcpReceived: rtcpReceived)
    }
}

/// Voicemail messages offered to the run's virtual agents (items of media voicemail the engine
/// dispatched), kept apart from customers' calls: they are not rings of a customer call.
public struct VoicemailsTaken: Sendable, Equatable, Codable {
    public var offeredPerAgent: [String: Int] = [:]
    /// Answered and played to the agent.
    public var takenPerAgent: [String: Int] = [:]
    /// Of those, how many carried the caller's tone (the message was the customer's voice).
    public var heard = 0

    public var offered: Int { offeredPerAgent.values.reduce(0, +) }
    public var taken: Int { takenPerAgent.values.reduce(0, +) }
}
