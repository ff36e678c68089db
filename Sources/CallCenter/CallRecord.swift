/// How a call ended, for reports.
public enum Disposition: String, Sendable, Equatable, CaseIterable {
    /// An agent answered; the call later ended by a hang-up (either side) or agent logout.
    case answered
    /// The caller hung up before any agent answered.
    case abandoned
    /// The core gave up: max attempts, max wait with `.hangup`.
    case failed
    /// The call left the queue into voicemail (recipe `voicemail` or max wait).
    case voicemail
    /// The call was refused on arrival (queue full, unknown queue, bad skill).
    case rejected
}

/// Why the call ended, finer than `Disposition`.
public enum EndReason: String, Sendable, Equatable, CaseIterable {
    case callerHangUp = "caller-hangup"
    case agentHangUp = "agent-hangup"
    case agentLoggedOut = "agent-logout"
    case voicemail
    case maxWait = "max-wait"
    case maxAttempts = "max-attempts"
    case queueFull = "queue-full"
    case unknownQueue = "unknown-queue"
    case invalidSkill = "invalid-skill"
    /// A voicemail item played to its end to the agent who took it.
    case messagePlayed = "message-played"
    // The engine's own faults (`CallCenterEvent.callFailed`): never blamed on a party.
    /// No relay ports were free when the call arrived.
    case mediaPortsExhausted = "media-ports-exhausted"
    /// The relay could not bind the call's ports.
    case mediaBindFailed = "media-bind-failed"
    /// The caller never ACKed our 200 OK (RFC 3261 §13.3.1.4, 64*T1).
    case noAck = "no-ack"
    /// The engine stopped (SIGTERM, drain grace period over) with the call still up.
    case engineShutdown = "engine-shutdown"
    /// An operator ended the call (REST API `DELETE /v1/calls/{id}`).
    case operatorHangUp = "operator-hangup"
    /// The engine refused the call to protect the calls it already carries.
    case overload
}

/// One per call that arrived, emitted exactly once as `.callFinished`.
public struct CallRecord: Sendable, Equatable {
    public var callID: CallID
    /// The queue the call was in when it ended (after `new_queue` or overflow).
    public var queue: String
    public var originalQueue: String
    /// The agent who answered, if any.
    public var agent: AgentID?
    public var caller: CallerInfo
    public var media: MediaType
    public var enqueuedAt: Duration
    public var firstRingAt: Duration?
    public var answeredAt: Duration?
    public var endedAt: Duration
    public var disposition: Disposition
    /// Delivery rounds: each time the call went from Queued to AgentRinging.
    public var attempts: Int
    public var endReason: EndReason

    public init(
        callID: CallID, queue: String, originalQueue: String, agent: AgentID?, caller: CallerInfo,
        media: MediaType, enqueuedAt: Duration, firstRingAt: Duration?, answeredAt: Duration?,
        endedAt: Duration, disposition: Disposition, attempts: Int, endReason: EndReason
    ) {
        self.callID = callID
        self.queue = queue
        self.originalQueue = originalQueue
        self.agent = agent
        self.caller = caller
        self.media = media
        self.enqueuedAt = enqueuedAt
        self.firstRingAt = firstRingAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.disposition = disposition
        self.attempts = attempts
        self.endReason = endReason
    }

    /// Time waited before an answer (or before the end, when unanswered).
    public var waitTime: Duration { (answeredAt ?? endedAt) - enqueuedAt }
}
