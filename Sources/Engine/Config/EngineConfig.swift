import CallCenter
import SIP

/// Everything ccengine is configured with. Read from YAML by `EngineConfig.load` (see
/// `EngineConfig+YAML.swift` and docs/configuration.md); CLI flags override the SIP address and
/// the state folder.
public struct EngineConfig: Sendable {
    public var sip = Endpoint(host: "127.0.0.1", port: 5060)
    /// TCP and TLS beside UDP (`sip.tcp`, `sip.tls`, `sip.connections`).
    public var streams = StreamConfig()
    /// Host written into Via, Contact and SDP; defaults to the SIP bind host.
    public var advertisedHost: String?
    public var mediaHost = "127.0.0.1"
    public var rtpPorts: ClosedRange<Int> = 20000...29999
    public var natPolicy: NATPolicy = .auto
    /// Which devices ring when an agent registered several Contacts.
    public var devices: DevicePolicy = .mostRecent
    /// Digest realm for agent authentication.
    public var realm = "ccengine"
    /// Agents must authenticate (digest) to REGISTER and to change state.
    public var requireAuth = true
    /// Digest algorithms offered, most preferred first (RFC 8760: SHA-256 first). Clients that read
    /// only the first challenge and know only MD5 (sipsak 0.9, many older phones) need MD5 first.
    public var digestAlgorithms: [DigestAlgorithm] = [.sha256, .md5]
    public var codecs: Set<String> = ["PCMU", "PCMA"]
    /// RTP relay worker threads (epoll loops); one relays about 1,000 G.711 calls on this class of machine.
    public var relayThreads = 1
    /// Scheduling of the SIP loop and relay threads (`priority:`; see `ThreadPriority`).
    public var priority: ThreadPriority = .normal
    public var stateDirectory = "state"
    /// SIGTERM drains: new calls get 503 with Retry-After, calls in progress have this long to end
    /// before the engine ends them (`shutdown.grace`, seconds).
    public var shutdownGrace = 60
    /// Load shedding: new calls get 503 past these limits (`overload:`).
    public var overload = OverloadControl.Limits()
    /// Per-source rate limits for new INVITEs and REGISTERs (`overload.per_source`; off by default).
    public var perSource = SourceRateLimit.Limits()
    /// Retry-After (seconds) on a 503 the engine sends when it refuses a call (`shutdown.retry_after`).
    public var retryAfter = 30
    /// Routing seconds per real second (`time_scale`): 1 in production; ccsim sets its scenario's
    /// scale so recipe ticks, ring timeouts, wrap-up and maximum waits follow scenario time.
    public var timeScale: Double = 1
    /// The seed of the engine's tags, branches, Call-IDs and routing tie-breaks (`--seed`): with
    /// the same seed, datagrams and times the engine's core sends the same bytes. Nil: drawn at
    /// start (from the clock, so Call-IDs differ from run to run) and logged for a replay.
    public var seed: UInt64?
    /// The REST/WebSocket API; nil: off (`api:`).
    public var api: APIConfig?
    public var queueLog = QueueLogConfig()
    /// What each queue's waiting callers hear (`queues[].media`; see `QueueMedia`).
    public var queueMedia: [String: QueueMedia] = [:]
    /// Agents whose calls are recorded (`agents[].record`).
    public var agentRecording: [String: RecordingFormat] = [:]
    /// Every prompt and music file the configuration names, loaded and checked (`media.prompts`).
    public var prompts = PromptSet()
    /// IVR menus (`menus:`), reached by name like queues.
    public var menus: [Menu] = []
    /// Numbers (DIDs) and other addresses that lead to a queue or a menu (`numbers:`): the
    /// Request-URI's user part, matched exactly, to the queue's or menu's name.
    public var numbers: [String: String] = [:]
    public var routing = CallCenterConfig()
    public var agents: [AgentAccount] = []

    public init() {}

    public var queueNames: Set<String> { Set(routing.queues.map(\.name)) }

    /// The sections read only at start that differ in `other` (a reload cannot apply them).
    public func sectionsDiffering(from other: EngineConfig) -> [String] {
        var out: [String] = []
        if sip != other.sip || streams != other.streams || advertisedHost != other.advertisedHost || natPolicy != other.natPolicy || devices != other.devices
            || realm != other.realm || requireAuth != other.requireAuth || digestAlgorithms != other.digestAlgorithms { out.append("sip") }
        if mediaHost != other.mediaHost || rtpPorts != other.rtpPorts || codecs != other.codecs || relayThreads != other.relayThreads { out.append("media") }
        if queueMedia != other.queueMedia || prompts != other.prompts || menus != other.menus || numbers != other.numbers { out.append("queue media, menus, numbers and prompts") }
        if stateDirectory != other.stateDirectory { out.append("state_dir") }
        if priority != other.priority { out.append("priority") }
        if shutdownGrace != other.shutdownGrace || retryAfter != other.retryAfter { out.append("shutdown") }
        if timeScale != other.timeScale { out.append("time_scale") }
        if api != other.api { out.append("api") }
        if queueLog != other.queueLog { out.append("queue_log") }
        return out
    }
}
