import CallCenter
import Engine

/// What the API returns, as JSON (snake_case members; times are Unix seconds, durations seconds).
/// docs/openapi.yaml describes the same shapes.
enum Representation {
    struct Reason: Codable, Equatable {
        var id: String
        var label: String
    }

    struct Today: Codable {
        var answered: Int
        var abandoned: Int
        /// Answered within `service_level_seconds` over answered + abandoned; nil before any call.
        var serviceLevel: Double?
        var serviceLevelSeconds: Int
    }

    struct Queue: Codable {
        var name: String
        var weight: Int
        var waiting: Int
        var longestWaitSeconds: Double
        var estimatedWaitSeconds: Double?
        var agents: [String: Int]
        var today: Today
    }

    struct Agent: Codable {
        var login: String
        var state: String
        var since: Double
        var releaseReason: Reason?
        var pendingRelease: Reason?
        var currentCall: String?
        var registered: Bool
        var callsToday: Int
    }

    struct Leg: Codable {
        var agent: String
        var state: String
        var startedAt: Double
    }

    struct Caller: Codable {
        var id: String
        var name: String
    }

    struct Call: Codable {
        var id: String
        var queue: String
        var originalQueue: String
        var caller: Caller
        var priority: Int
        var stage: String
        var agents: [String]
        var enqueuedAt: Double
        var queueEnteredAt: Double
        var firstRingAt: Double?
        var answeredAt: Double?
        var waitedSeconds: Double
        var attempts: Int
        var recipeTicks: Int
        var skills: [String]
        var callerLeg: String
        var agentLegs: [Leg]
    }

    struct Record: Codable {
        var callId: String
        var queue: String
        var originalQueue: String
        var agent: String?
        var callerId: String
        var callerName: String
        var enqueuedAt: Double
        var firstRingAt: Double?
        var answeredAt: Double?
        var endedAt: Double
        var disposition: String
        var endReason: String
        var attempts: Int
        /// `voice`, or `voicemail` for a voicemail message an agent took (`voicemail.call_id` names the call that left it).
        var media: String
        var notes: String?
        /// What each leg's phone reported in RTCP (absent when neither sent a report).
        var rtcp: RTCP?
        /// The call's recording (`queues[].media.record`), its voicemail message, its path through the menus.
        var recording: Recording?
        var voicemail: Voicemail?
        var menuPath: String?
    }

    struct Recording: Codable {
        var files: [String]
        var format: String
        var seconds: Double
        var status: String
        var error: String?
    }

    struct Voicemail: Codable {
        /// The call that left the message (for a voicemail item's record, not its own id).
        var callId: String
        var file: String
        var seconds: Double
        var status: String
        var error: String?
        var deliveredTo: String?
        var deliveredAt: Double?
        /// The call the routing core dispatched for it to the agent.
        var item: String?
    }

    /// Per leg, RTCP as the phone reported it (RFC 3550 §6.4): README "RTCP".
    struct RTCP: Codable {
        var caller: LegRTCP?
        var agent: LegRTCP?
    }

    struct LegRTCP: Codable {
        var reports: Int
        var fractionLost: Double?
        var packetsLost: Int?
        var jitterMs: Double?
        var rttMs: Double?

        init(_ q: CallRecordStore.QualityRow) {
            (reports, fractionLost, packetsLost, jitterMs, rttMs) = (q.reports, q.fractionLost, q.packetsLost, q.jitterMs, q.rttMs)
        }
    }

    struct Page<Item: Codable>: Codable {
        var items: [Item]
        var limit: Int
        var offset: Int
        /// The offset of the next page; nil on the last.
        var next: Int?
    }

    struct Outcome: Codable {
        var result: String
    }

    static func reason(_ r: ReleaseReason?) -> Reason? { r.map { Reason(id: $0.id, label: $0.label) } }

    static func agent(_ a: EngineSnapshot.Agent, origin: Double, callsToday: Int) -> Agent {
        var release: ReleaseReason?
        var call: String?
        switch a.state {
        case .released(let r): release = r
        case .ringing(let c), .onCall(let c): call = c
        case .wrapUp(let c): call = c
        case .offline, .available: break
        }
        return Agent(login: a.login, state: a.state.name, since: origin + a.since.seconds, releaseReason: reason(release),
                     pendingRelease: reason(a.pendingRelease), currentCall: call, registered: a.registered, callsToday: callsToday)
    }

    static func call(_ c: EngineSnapshot.Call, now: Duration, origin: Double) -> Call {
        let v = c.view
        return Call(
            id: v.id, queue: v.queue, originalQueue: v.originalQueue, caller: Caller(id: v.caller.id, name: v.caller.name),
            priority: v.priority, stage: v.stage.rawValue, agents: v.agents, enqueuedAt: origin + v.enqueuedAt.seconds,
            queueEnteredAt: origin + v.queueEnteredAt.seconds, firstRingAt: v.firstRingAt.map { origin + $0.seconds },
            answeredAt: v.answeredAt.map { origin + $0.seconds }, waitedSeconds: ((v.answeredAt ?? now) - v.enqueuedAt).seconds,
            attempts: v.attempts, recipeTicks: v.recipeTicks, skills: v.skills.map(\.name), callerLeg: c.callerLeg,
            agentLegs: c.agentLegs.map { Leg(agent: $0.agent, state: $0.state, startedAt: origin + $0.startedAt.seconds) })
    }

    static func record(_ r: CallRecordStore.RecordWithNotes, rtcp: [String: CallRecordStore.QualityRow]? = nil,
                       media: CallRecordStore.CallMedia? = nil) -> Record {
        let x = r.row
        return Record(callId: x.callID, queue: x.queue, originalQueue: x.originalQueue, agent: x.agent, callerId: x.callerID,
                      callerName: x.callerName, enqueuedAt: x.enqueuedAt, firstRingAt: x.firstRingAt, answeredAt: x.answeredAt,
                      endedAt: x.endedAt, disposition: x.disposition, endReason: x.endReason, attempts: x.attempts, media: x.media, notes: r.notes,
                      rtcp: rtcp.map { RTCP(caller: $0["caller"].map(LegRTCP.init), agent: $0["agent"].map(LegRTCP.init)) },
                      recording: media?.recording.map {
                          Recording(files: $0.files.split(separator: ",").map(String.init), format: $0.format, seconds: $0.seconds, status: $0.status, error: $0.error)
                      },
                      voicemail: media?.voicemail.map {
                          Voicemail(callId: $0.callID, file: $0.file, seconds: $0.seconds, status: $0.status, error: $0.error,
                                    deliveredTo: $0.deliveredTo, deliveredAt: $0.deliveredAt, item: $0.item)
                      },
                      menuPath: media?.menuPath)
    }
}
