import CallCenter
import SIP

/// The engine's pure core: a SIP back-to-back user agent in front of the routing core.
/// Events and `now` in, actions out; no sockets, clocks or tasks (the driver owns those).
///
/// Requests that belong to no call are offered in order to the registrar (REGISTER), OPTIONS,
/// the call center (INVITE to a queue) and, failing those, answered 481/405.
public struct B2BUA: Sendable {
    public struct Settings: Sendable {
        /// Our SIP address, as written into Via and Contact.
        public var sip: Endpoint
        /// Address written into SDP for the relay.
        public var mediaHost: String
        public var rtpPorts: ClosedRange<Int>
        public var natPolicy: NATPolicy
        /// Which of an agent's registered devices ring.
        public var devices: DevicePolicy
        /// Codecs the engine accepts from customers (encoding names, RFC 3551).
        public var codecs: Set<String>
        public var userAgent: String
        /// Seconds a refused caller is told to wait before trying again (503 Retry-After, RFC 3261 §20.33).
        public var retryAfter: Int
        public var overload: OverloadControl.Limits
        /// Routing time per engine second (`time_scale`, for simulations): the routing core's clock,
        /// and so its recipe ticks, ring timeouts, wrap-up and maximum waits, run this many times
        /// faster than real time. SIP timers, registrations and records stay in real time.
        public var timeScale: Double
        /// Per-source rate limits for new INVITEs and REGISTERs (`overload.per_source`).
        public var perSource = SourceRateLimit.Limits()
        /// The transports we listen on besides UDP (`sip.tcp`, `sip.tls`); a request for a peer
        /// on one we do not serve goes over UDP.
        public var streams: Set<Transport> = []
        /// Our TLS port (`sip.tls.port`); TCP shares the UDP port (RFC 3261 §18: both on 5060).
        public var tlsPort: Int?

        /// Our sent-by for `transport` (RFC 3261 §18.1.1): the address our Via and Contact name.
        public func sentBy(_ transport: Transport) -> Endpoint {
            Endpoint(host: sip.host, port: transport == .tls ? tlsPort ?? sip.port : sip.port, transport: transport)
        }

        public init(sip: Endpoint, mediaHost: String, rtpPorts: ClosedRange<Int> = 20000...29999,
                    natPolicy: NATPolicy = .auto, devices: DevicePolicy = .mostRecent, codecs: Set<String> = ["PCMU", "PCMA"],
                    userAgent: String = "ccengine", retryAfter: Int = 30, overload: OverloadControl.Limits = .init(), timeScale: Double = 1) {
            self.sip = sip
            self.mediaHost = mediaHost
            self.rtpPorts = rtpPorts
            self.natPolicy = natPolicy
            self.devices = devices
            self.codecs = codecs
            self.userAgent = userAgent
            self.retryAfter = retryAfter
            self.overload = overload
            self.timeScale = timeScale
        }
    }

    public let settings: Settings
    /// OPTIONS response header carrying `Settings.timeScale` when it is not 1.
    public static let timeScaleHeader = "X-CC-Time-Scale"
    /// On a 200 the engine sends before any agent answered (a menu, a queue answering on entry,
    /// voicemail): who answered.
    public static let answeredByHeader = "X-CC-Answered-By"
    public internal(set) var center: CallCenter
    public internal(set) var registrar: Registrar
    var authenticator: AgentAuthenticator
    var ids: IdentityGenerator
    var ports: MediaPortPool
    /// The relay ports the next call legs will get (the driver binds them ahead: `RTPRelay.prepare`).
    public var upcomingMediaPorts: [Int] { ports.upcoming }
    /// Calls by Call-ID. A walk over them (shutdown, snapshots) goes in sorted order, never the
    /// dictionary's, which changes with the process's hash seed (exact replay).
    var calls: [CallID: BridgedCall] = [:]
    /// Agent-leg Call-ID -> customer call.
    var agentLegIndex: [String: CallID] = [:]
    /// Cancelled agent legs of finished calls, kept until their final response (see finishIfDone).
    var lingeringLegs: [String: AgentLeg] = [:]
    var queues: Set<String>
    /// Draining: new calls are refused with 503 and Retry-After; calls in progress go on.
    public private(set) var draining = false
    /// Ending every call: the engine is stopping and never resumes.
    var stopping = false
    /// Calls holding an agent side's relay port (ringing or bridged).
    var agentSides = 0
    /// Relay ports the relay is closing (`closeMedia` sent, `mediaClosed` not yet back).
    var closingPorts = 0
    /// Rings waiting for an agent side's port that is being closed (see `ringAgent`), in order.
    var ringsAwaitingPort: [(call: CallID, agent: AgentID)] = []
    /// Events into the routing core raised while its decisions are carried out (`route`).
    var routing = RoutingQueue()
    struct RoutingQueue {
        var active = false
        var pending: [CallCenterEvent] = []
    }
    /// Relay ports already reported as unbindable (logged once each).
    var unbindablePorts: Set<Int> = []
    var overload: OverloadControl
    var sourceLimits: SourceRateLimit
    /// Each agent's state as operators see it and since when (engine time); absent: offline since start.
    var agentSince: [AgentID: (state: AgentState, since: Duration)] = [:]
    /// Per queue, Asterisk's estimate of the wait: hold times averaged as `(3 * old + new) / 4`.
    var holdEstimate: [String: Duration] = [:]
    /// Released agents as last saved (`saveRelease` only when this changes, not per call).
    var savedReleases: [AgentID: ReleaseReason] = [:]
    /// Agents in wrap-up, with its end (engine time), as last saved.
    var savedWrapUps: [AgentID: Duration] = [:]
    /// What each queue's waiting callers hear (queues absent: nothing).
    public var queueMedia: [String: QueueMedia] = [:]
    /// IVR menus by the address that reaches them (`menus:`).
    public var menus: [String: Menu] = [:]
    /// Numbers (DIDs) and other addresses that lead to a queue or a menu, by the Request-URI's user part.
    public var numbers: [String: String] = [:]
    /// Agents whose calls are recorded wherever they come from (`agents[].record`); a queue's
    /// own `record` wins.
    public var agentRecording: [AgentID: RecordingFormat] = [:]

    /// - Parameters:
    ///   - authenticator: digest authentication of agents; nil accepts REGISTER without credentials.
    public init(settings: Settings, center: CallCenter, agents: Set<AgentID>, queues: Set<String>, seed: UInt64,
                authenticator: AgentAuthenticator? = nil) {
        self.settings = settings
        self.center = center
        self.registrar = Registrar(agents: agents, natPolicy: settings.natPolicy)
        self.authenticator = authenticator ?? AgentAuthenticator(realm: "ccengine", accounts: [], required: false, secret: [0])
        self.ids = IdentityGenerator(seed: seed, host: settings.sip.host)
        self.ports = MediaPortPool(range: settings.rtpPorts)
        self.overload = OverloadControl(limits: settings.overload)
        self.sourceLimits = SourceRateLimit(limits: settings.perSource)
        self.queues = queues
    }

    public var activeCalls: Int { calls.count }

    /// A key from the caller (RFC 4733 or INFO): for its voicemail or its menu.
    mutating func digitPressed(_ id: CallID, _ digit: Character, now: Duration, into out: inout [B2BUAAction]) {
        if calls[id]?.voicemail != nil {
            voicemailDigit(id, digit, now: now, into: &out)
        } else {
            menuDigit(id, digit, now: now, into: &out)
        }
    }

    public mutating func handle(_ event: B2BUAEvent, now: Duration) -> [B2BUAAction] {
        var out: [B2BUAAction] = []
        let upcoming = ports.upcoming
        handle(event, now: now, into: &out)
        // Whenever the next ports change, the driver binds them ahead (off the next INVITE's path).
        var starting = false
        if case .start = event { starting = true }
        let now = ports.upcoming
        if !now.isEmpty, starting || upcoming != now {
            out.append(.prepareMedia(ports: now))
        }
        return out
    }

    private mutating func handle(_ event: B2BUAEvent, now: Duration, into out: inout [B2BUAAction]) {
        switch event {
        case .start(let kept):
            restore(kept, now: now, into: &out)
        case .received(let message, let source):
            if message.isRequest {
                receiveRequest(message, from: source, now: now, into: &out)
            } else {
                receiveResponse(message, now: now, into: &out)
            }
        case .timerFired(.callCenter(let id)):
            route(.timerFired(id), now: now, into: &out)
        case .timerFired(.registrationExpiry(let agent, let contact)):
            let changes = registrar.expire(agent: agent, contact: contact, now: now)
            applyRegistrar(changes, now: now, into: &out)
            out.append(.saveBindings(agent, registrar.bindings(of: agent)))
        case .timerFired(.lingeringLeg(let key)):
            lingeringLegs[key] = nil
        case .timerFired(.announcement(let id, let kind)):
            announcementDue(id, kind, now: now, into: &out)
        case .timerFired(.menuTimeout(let id)):
            menuTimedOut(id, now: now, into: &out)
        case .timerFired(.voicemailMax(let id)):
            voicemailMaxReached(id, now: now, into: &out)
        case .digit(let id, let digit):
            digitPressed(id, digit, now: now, into: &out)
        case .promptPlayed(let id, let token):
            if calls[id]?.message != nil {
                messagePlayed(id, token: token, now: now, into: &out)
            } else if calls[id]?.voicemail != nil {
                voicemailPromptPlayed(id, token: token, now: now, into: &out)
            } else {
                menuPromptPlayed(id, token: token, now: now, into: &out)
            }
        case .requestFailed(let callID, let method, let unreachable):
            requestFailed(callID: callID, method: method, unreachable: unreachable, now: now, into: &out)
        case .control(let command):
            let outcome = control(command, now: now, into: &out)
            out.append(.controlOutcome(outcome))
        case .ackTimedOut(let id):
            guard calls[id]?.customer.phase == .answered else { break }
            out.append(.log(.warning, "the caller never ACKed our 200 OK (64*T1); ending the call", call: id))
            endCustomer(id, status: 408, reason: nil, into: &out)
            route(.callFailed(id, .noAck), now: now, into: &out)
        case .mediaFailed(let call, let reason):
            out.append(.log(.error, "media relay failed for the call: \(reason); ending it", call: call))
            calls[call]?.mediaFaulty = true
            route(.callFailed(call, .mediaBindFailed), now: now, into: &out)
        case .voicemailSaved(let message):
            queueVoicemail(message, now: now, into: &out)
        case .mediaQuiet(let id, let leg):
            if leg == .caller { voicemailQuiet(id, now: now, into: &out) }
        case .mediaClosed(let closed):
            for port in closed { ports.release(port) }
            closingPorts = max(0, closingPorts - closed.count)
            ringWaitingAgents(now: now, into: &out)
        case .mediaPortUnavailable(let port, let reason):
            ports.quarantine(port, now: now)
            if unbindablePorts.insert(port).inserted {
                out.append(.log(.warning, "relay port \(port) skipped: \(reason); retried after \(MediaPortPool.quarantine)", call: nil))
            }
        case .load(let report):
            if let line = overload.report(report, now: now) { out.append(.log(.warning, line, call: nil)) }
            if sourceLimits.limits.isOn, let line = sourceLimits.report(now: now) { out.append(.log(.warning, line, call: nil)) }
        case .socketBacklog(let bytes, let emptyAt):
            if let line = overload.backlog(bytes, emptyAt: emptyAt, now: now) { out.append(.log(.warning, line, call: nil)) }
        case .drain:
            guard !draining else { break }
            draining = true
            out.append(.log(.notice, "draining: new calls get 503 with Retry-After \(settings.retryAfter); \(calls.count) calls in progress go on", call: nil))
        case .resume:
            guard draining, !stopping else { break }
            draining = false
            out.append(.log(.notice, "resumed: accepting new calls again", call: nil))
        case .endAllCalls:
            draining = true
            stopping = true
            // Waiting calls first: an agent freed by ending a bridged call must not be offered one.
            let unanswered = calls.keys.sorted().filter { calls[$0]?.customer.phase == .early }
            for id in unanswered + calls.keys.sorted() where !(calls[id]?.recorded ?? true) {
                route(.callFailed(id, .engineShutdown), now: now, into: &out)
            }
        }
    }

    private mutating func receiveRequest(_ request: SIPMessage, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) {
        let method = request.method ?? ""
        if let callID = agentLegIndex[request.callID] {
            agentLegRequest(request, call: callID, from: source, now: now, into: &out)
            return
        }
        if calls[request.callID] != nil {
            customerRequest(request, from: source, now: now, into: &out)
            return
        }
        switch method {
        case "REGISTER":
            guard authenticated(request, agent: request.to.uri.user ?? "", from: source, now: now, into: &out) else { return }
            let (response, changes) = registrar.register(request, from: source, toTag: ids.tag(), now: now)
            out.append(.send(response, to: responseTarget(request, source)))
            applyRegistrar(changes, now: now, into: &out)
            if response.status == 200, let agent = request.to.uri.user { out.append(.saveBindings(agent, registrar.bindings(of: agent))) }
        case "OPTIONS":
            var ok = request.response(200, toTag: ids.tag())
            ok.setHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, MESSAGE")
            ok.setHeader("Accept", "application/sdp")
            // A simulation's engine says its routing clock's speed, so ccsim can refuse a mismatch.
            if settings.timeScale != 1 { ok.setHeader(Self.timeScaleHeader, String(settings.timeScale)) }  // String(Double) round-trips exactly
            out.append(.send(ok, to: responseTarget(request, source)))
        case "MESSAGE":
            agentControl(request, from: source, now: now, into: &out)
        case "INVITE" where request.to.tag == nil:
            newCustomerCall(request, from: source, now: now, into: &out)
        case "ACK":
            break  // an ACK for a transaction we no longer hold: nothing to answer (RFC 3261 §17.2.3)
        case "INVITE", "BYE", "CANCEL", "INFO", "UPDATE", "PRACK", "NOTIFY", "REFER":
            out.append(.send(request.response(481, toTag: request.to.tag == nil ? ids.tag() : nil), to: responseTarget(request, source)))
        default:
            var r = request.response(405, toTag: ids.tag())
            r.setHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, MESSAGE")
            out.append(.send(r, to: responseTarget(request, source)))
        }
    }

    /// Registrations and releases kept from the last run: agents whose bindings have not expired
    /// are logged in again, and those that were released stay released with their reason.
    private mutating func restore(_ kept: DurableState, now: Duration, into out: inout [B2BUAAction]) {
        applyRegistrar(registrar.restore(kept.bindings, now: now), now: now, into: &out)
        for agent in kept.released.keys.sorted() {
            if registrar.bindings(of: agent).isEmpty {
                out.append(.saveRelease(agent, nil))  // logged out meanwhile (its registration expired): no break left
            } else {
                route(.agentReleased(agent, kept.released[agent]!), now: now, into: &out)
            }
        }
        for agent in kept.wrapUps.keys.sorted() {
            if registrar.bindings(of: agent).isEmpty || kept.released[agent] != nil {
                // Logged out, or released (a break asked for during the wrap-up): no wrap-up left.
                out.append(.saveWrapUp(agent, until: nil))
            } else {
                route(.agentResumedWrapUp(agent, until: routingTime(kept.wrapUps[agent]!)), now: now, into: &out)
            }
        }
        let agents = kept.bindings.values.filter { !$0.isEmpty }.count
        if agents > 0 { out.append(.log(.info, "registrations kept from the last run: \(agents) agents logged in", call: nil)) }
        for message in kept.voicemails { queueVoicemail(message, now: now, into: &out) }
    }

    private mutating func applyRegistrar(_ changes: [Registrar.Change], now: Duration, into out: inout [B2BUAAction]) {
        for c in changes {
            switch c {
            case .loggedIn(let agent):
                out.append(.log(.info, "agent \(agent) registered", call: nil))
                route(.agentLoggedIn(agent), now: now, into: &out)
            case .loggedOut(let agent):
                out.append(.log(.info, "agent \(agent) unregistered", call: nil))
                route(.agentLoggedOut(agent), now: now, into: &out)
            case .armExpiry(let agent, let contact, let at):
                out.append(.startTimer(.registrationExpiry(agent, contact: contact), at: at))
            case .disarmExpiry(let agent, let contact):
                out.append(.cancelTimer(.registrationExpiry(agent, contact: contact)))
            }
        }
    }

    /// Runs digest authentication; on false the challenge or refusal has been sent.
    mutating func authenticated(_ request: SIPMessage, agent: String, from source: Endpoint, now: Duration, into out: inout [B2BUAAction]) -> Bool {
        // An unknown login is challenged and refused exactly as a wrong password is (no
        // enumeration of logins); without required authentication the registrar answers 404.
        switch authenticator.check(request, agent: agent, toTag: ids.tag(), now: now, rng: &ids) {
        case .authenticated:
            return true
        case .reply(let r, let line):
            if let line { out.append(.log(.notice, line, call: nil)) }
            out.append(.send(r, to: responseTarget(request, source)))
            return false
        }
    }

    /// RFC 3261 §18.2.2 and RFC 3581 §4: responses go to the Via's received/rport, and with
    /// `rport` present we answer to the packet's source port; on a stream, back on the connection
    /// the request came in on (its source).
    func responseTarget(_ request: SIPMessage, _ source: Endpoint) -> Endpoint {
        guard let via = request.via.first else { return source }
        if via.hasParameter("rport") || source.transport.isReliable { return source }
        return Endpoint(host: via.parameter("received") ?? source.host, port: via.responseTarget.port)
    }

    /// RFC 3261 §12.2.2: a request in a dialog whose CSeq is below the peer's last is out of order.
    func outOfOrder(_ request: SIPMessage) -> SIPMessage {
        request.response(500, "Server Internal Error (CSeq out of order)")
    }

    var localVia: (String) -> Via {
        { [settings] branch in Via(host: settings.sip.host, port: settings.sip.port, branch: branch) }
    }

    /// Our Contact for a dialog over `transport` (RFC 3261 §8.1.1.8): our address on that
    /// transport, naming it (`;transport=tcp`) when it is not UDP, so the peer's requests in the
    /// dialog come back the same way.
    func localContact(over transport: Transport) -> NameAddress {
        var uri = SIPURI(user: "ccengine", host: settings.sip.host, port: settings.sentBy(transport).port)
        if transport != .udp { uri.parameters = [Parameter("transport", transport.rawValue)] }
        return NameAddress(uri: uri)
    }
}
